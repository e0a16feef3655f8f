/**
 * Per-op checks over every chained case: the GPU's outputs against the CPU reference fed the same
 * inputs (cpu.ts), under the tolerances of compare.ts. Each returns a pass and a detail that
 * names the seed, the tolerance and the worst error seen per case.
 */
import { COUNTED_EVENTS } from '../../../numerics';
import type { SelfTestResult } from '../../../gpu/selftest/conversion';
import type { MoeCase, MoeInputs } from './cases';
import { gpuInts, gpuValues, referenceRouter, type Expected } from './cpu';
import { compareExact, compareValues, TOLERANCES, type Comparison } from './compare';
import { EVENT_GROUPS, type GpuRun } from './gpu';

export type Outcome = Omit<SelfTestResult, 'name' | 'ms'>;

export interface CaseRun {
  c: MoeCase;
  inp: MoeInputs;
  run: GpuRun;
  /** The same inputs run again (determinism). */
  again: GpuRun;
  router: ReturnType<typeof referenceRouter>;
  exp: Expected;
}

/** Runs `compare` per case; the outcome lists every case's comparisons. */
function perCase(
  runs: CaseRun[],
  seed: number,
  why: string,
  compare: (r: CaseRun) => Comparison[],
): Outcome {
  let pass = runs.length > 0;
  const lines = runs.map((r) => {
    const cs = compare(r);
    if (!cs.every((x) => x.ok)) pass = false;
    return `${r.c.label}: ${cs.map((x) => x.text).join(', ')}`;
  });
  return { pass, detail: `seed ${seed}. ${why} ${lines.join('; ')}` };
}

/** Experts of one row by stored probability, ties to the lower index (sort-based, independent
 * of the reference's selection loop). */
function rank(probs: Float32Array, row: number, E: number, k: number): number[] {
  const idx = [...Array(E).keys()];
  idx.sort((a, b) => probs[row * E + b] - probs[row * E + a] || a - b);
  return idx.slice(0, k);
}

export function checkRouterForward(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'probs and k=2 gates 1 ulp (fp16/bf16) or 1e-5 rel (f32, floored): exp and division differ in the last f32 bits; ' +
      "topIdx must rank the GPU's stored probs (ties to the lower index) and equal the reference except on a near-tie the " +
      'stored probs flip; hand-built tie rows must give the lower expert first.',
    ({ c, inp, run, router }) => {
      const { N, E, k } = c;
      const probs = gpuValues(run, 'probs', N * E);
      const gates = gpuValues(run, 'gates', N * k);
      const top = gpuInts(run, 'topIdx', N * k);
      let misranked = 0;
      let flips = 0;
      const flipped = new Set<number>();
      for (let t = 0; t < N; t++) {
        const want = rank(probs, t, E, k);
        const got = Array.from(top.subarray(t * k, t * k + k));
        if (want.join() !== got.join()) misranked++;
        if (got.join() !== Array.from(router.topIdx.subarray(t * k, t * k + k)).join()) {
          flips++;
          flipped.add(t);
        }
      }
      const badTies = (r: { row: number; expected: number[] }) =>
        Array.from(top.subarray(r.row * k, r.row * k + k)).join() !== r.expected.join();
      const tieFails = inp.ties.filter(badTies).length;
      const probsCmp = compareValues('probs', c.router, probs, router.probs, TOLERANCES.stored);
      const gatesCmp = compareValues(
        'gates',
        c.router,
        gates,
        router.gates,
        TOLERANCES.stored,
        (i) => flipped.has(Math.floor(i / k)),
      );
      const ties = inp.ties.length;
      const topCmp: Comparison = {
        ok: misranked === 0 && tieFails === 0 && probsCmp.ok,
        worst: misranked,
        unit: 'ulp',
        text:
          `topIdx ${misranked} rows misranked, ${flips} near-tie flips vs reference, ` +
          `${ties - tieFails}/${ties} tie rows lower-index-first`,
      };
      return [probsCmp, gatesCmp, topCmp];
    },
  );
}

export function checkDispatch(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    "Exact: counts, offsets, tokenOf, rowOf of the reference dispatchForward on the GPU's topIdx.",
    ({ c, run, exp }) => {
      const R = c.N * c.k;
      return [
        compareExact('counts', gpuInts(run, 'counts', c.E), exp.dispatch.counts),
        compareExact('offsets', gpuInts(run, 'offsets', c.E + 1), exp.dispatch.offsets),
        compareExact('tokenOf', gpuInts(run, 'tokenOf', R), exp.dispatch.tokenOf),
        compareExact('rowOf', gpuInts(run, 'rowOf', R), exp.dispatch.rowOf),
      ];
    },
  );
}

export function checkGather(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'Forward exact (a copy of stored bits); backward (f32 sum of k slots, then one store) 1 ulp / 1e-5 rel (floored).',
    ({ c, run, exp }) => [
      compareValues('xg', c.main, gpuValues(run, 'xg', c.N * c.k * c.C), exp.xg, {
        ulps: 0,
        rel: 0,
        floorFraction: 0,
      }),
      compareValues('dx', c.main, gpuValues(run, 'dx', c.N * c.C), exp.dx, TOLERANCES.stored),
    ],
  );
}

export function checkCombine(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'y, dexpertOut: 1 ulp / 1e-5 rel (floored); dgates: f32 sum over C, 1e-5 rel against max(|cpu|, 1e-2 of its largest).',
    ({ c, run, exp }) => {
      const R = c.N * c.k;
      return [
        compareValues('y', c.main, gpuValues(run, 'y', c.N * c.C), exp.y, TOLERANCES.stored),
        compareValues(
          'dexpertOut',
          c.main,
          gpuValues(run, 'deo', R * c.C),
          exp.deo,
          TOLERANCES.stored,
        ),
        compareValues('dgates', 'fp32', gpuValues(run, 'dgates', R), exp.dgates, TOLERANCES.stored),
      ];
    },
  );
}

export function checkRouterLosses(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'Load balance: 1e-5 rel. lse: 1e-5 rel + 1e-6 absolute (WGSL log). z-loss = beta * mean lse^2: 1e-5 rel + ' +
      'the error an lse off by 1e-6 gives, 2 * beta * max|lse| * 1e-6.',
    ({ c, run, exp }) => {
      const loss = gpuValues(run, 'loss', 2);
      const maxLse = exp.lse.reduce((m, z) => Math.max(m, Math.abs(z)), 0);
      const zTol = { ...TOLERANCES.stored, abs: 2 * c.beta * maxLse * 1e-6 };
      return [
        compareValues('balance', 'fp32', [loss[0]], [exp.balance], TOLERANCES.stored),
        compareValues('zLoss', 'fp32', [loss[1]], [exp.zLoss], zTol),
        compareValues('lse', 'fp32', gpuValues(run, 'lse', c.N), exp.lse, TOLERANCES.logSum),
      ];
    },
  );
}

export function checkRouterBackward(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'dprobs (load-balance backward + gates, f32, division by S) 1e-5 rel; dlogits (router backward, then z-loss ' +
      'backward, two stores) 2 ulp / 1e-5 rel.',
    ({ c, run, exp }) => [
      compareValues(
        'dprobs',
        'fp32',
        gpuValues(run, 'dprobs', c.N * c.E),
        exp.dprobs,
        TOLERANCES.stored,
      ),
      compareValues(
        'dlogits',
        c.router,
        gpuValues(run, 'dlogits', c.N * c.E),
        exp.dlogits,
        TOLERANCES.chained,
      ),
    ],
  );
}

/** GPU counters equal numerics classify over every value the reference stores, per kernel. */
export function checkEvents(runs: CaseRun[], seed: number): Outcome {
  let total = 0;
  const outcome = perCase(
    runs,
    seed,
    'Exact: GPU event counters (overflow/underflow/subnormal/nonfinite) per kernel = numerics classify of the values the reference stores.',
    ({ run, exp }) =>
      EVENT_GROUPS.map((g) => {
        const got = run.events[g];
        const want = exp.events[g];
        const diffs = COUNTED_EVENTS.filter((e) => got[e] !== want[e]);
        const sum = COUNTED_EVENTS.reduce((s, e) => s + got[e], 0);
        total += sum;
        return {
          ok: diffs.length === 0,
          worst: diffs.length,
          unit: 'ulp' as const,
          text:
            diffs.length === 0
              ? `${g} ${sum}`
              : `${g} differs: ${diffs.map((e) => `${e} gpu ${got[e]} cpu ${want[e]}`).join(', ')}`,
        };
      }),
  );
  // The inputs include tiny values and +20 logits, so fp16 stores must underflow somewhere.
  const pass = outcome.pass && total > 0;
  return {
    pass,
    detail: `${outcome.detail}; ${total} events in all${total > 0 ? '' : ' (expected some: the test did not exercise counting)'}`,
  };
}

/** 'oneExpert': the favoured expert holds N assignments; 'skewed': the upper half stays empty. */
export function checkExtremes(runs: CaseRun[], seed: number): Outcome {
  const chosen = runs.filter((r) => r.c.mode !== 'mixed');
  return perCase(
    chosen,
    seed,
    "Routing extremes, on the GPU's counts and offsets.",
    ({ c, run }) => {
      const counts = gpuInts(run, 'counts', c.E);
      const offsets = gpuInts(run, 'offsets', c.E + 1);
      let ok: boolean;
      let text: string;
      if (c.mode === 'oneExpert') {
        const star = counts.indexOf(Math.max(...counts));
        const others = c.N * c.k - counts[star];
        ok = counts[star] === c.N && (c.k > 1 || others === 0);
        text = `expert ${star} takes all ${counts[star]}/${c.N} tokens, ${others} other assignments`;
      } else {
        const empty = counts.filter((n, e) => e >= Math.ceil(c.E / 2) && n === 0).length;
        const flat = offsets.slice(Math.ceil(c.E / 2)).every((o) => o === c.N * c.k);
        ok = empty === c.E - Math.ceil(c.E / 2) && flat;
        text = `${empty} empty experts with empty segments (offsets ${Array.from(offsets).join(',')})`;
      }
      return [{ ok, worst: ok ? 0 : 1, unit: 'ulp', text }];
    },
  );
}

export function checkDeterminism(runs: CaseRun[], seed: number): Outcome {
  return perCase(
    runs,
    seed,
    'Two runs of the same inputs: every output word and event counter identical.',
    ({ run, again }) => {
      let differing = 0;
      const names: string[] = [];
      for (const [name, words] of Object.entries(run.words)) {
        const other = again.words[name as keyof GpuRun['words']];
        const d = words.reduce((n, w, i) => n + (w === other[i] ? 0 : 1), 0);
        if (d > 0) names.push(`${name} (${d})`);
        differing += d;
      }
      const eventsSame = JSON.stringify(run.events) === JSON.stringify(again.events);
      return [
        {
          ok: differing === 0 && eventsSame,
          worst: differing,
          unit: 'ulp',
          text:
            differing === 0 && eventsSame
              ? 'bit-identical'
              : `differ: ${names.join(', ')}${eventsSame ? '' : ', event counters'}`,
        },
      ];
    },
  );
}
