/**
 * Cases and seeded inputs of the MoE kernel self-tests. Every value is rounded to the storage
 * format of the tensor it is written to, so the GPU and the CPU reference read identical values.
 * Logits modes: 'mixed' random rows plus rows with exact ties (each with its expected ranking,
 * lower index first, derived by hand, not by the code under test); 'oneExpert' one expert far
 * ahead on every token (+20: the others' fp16 probabilities underflow); 'skewed' the upper half of
 * the experts far behind, so they stay empty.
 */
import { random32, roundTo, type FormatName } from '../../../numerics';

export type LogitsMode = 'mixed' | 'oneExpert' | 'skewed';

export interface MoeCase {
  label: string;
  /** Storage of activations and their gradients. */
  main: FormatName;
  /** Storage of the router's tensors (f32 by default, or the lane's low format). */
  router: FormatName;
  N: number;
  C: number;
  E: number;
  k: number;
  mode: LogitsMode;
  /** dloss: the loss scale, a power of two. */
  dloss: number;
  alpha: number;
  beta: number;
}

const GRID: ReadonlyArray<{ E: number; k: number; routerLow: boolean; N: number; C: number }> = [
  { E: 4, k: 1, routerLow: false, N: 13, C: 6 },
  { E: 4, k: 2, routerLow: true, N: 21, C: 5 },
  { E: 8, k: 1, routerLow: true, N: 37, C: 7 },
  { E: 8, k: 2, routerLow: false, N: 29, C: 9 },
];
const MODES: Record<string, LogitsMode[]> = {
  fp32: ['mixed', 'oneExpert', 'skewed', 'mixed'],
  fp16: ['skewed', 'oneExpert', 'mixed', 'mixed'],
  bf16: ['oneExpert', 'mixed', 'skewed', 'mixed'],
};
const DLOSS: Record<string, number> = { fp32: 1, fp16: 1024, bf16: 0.5 };

function makeCase(
  main: FormatName,
  router: FormatName,
  g: { E: number; k: number; N: number; C: number },
  mode: LogitsMode,
): MoeCase {
  return {
    label: `${main}/router ${router} E=${g.E} k=${g.k} N=${g.N} C=${g.C} ${mode}`,
    main,
    router,
    ...g,
    mode,
    dloss: DLOSS[main],
    alpha: 0.1,
    beta: 0.02,
  };
}

/** fp32/fp16/bf16 x (E=4, 8) x (k=1, 2), router f32 or low, N and C odd; plus an odd E. */
export function moeCases(): MoeCase[] {
  const cases: MoeCase[] = [];
  for (const main of ['fp32', 'fp16', 'bf16'] as const) {
    GRID.forEach((g, i) =>
      cases.push(makeCase(main, g.routerLow ? main : 'fp32', g, MODES[main][i])),
    );
  }
  cases.push(makeCase('bf16', 'bf16', { E: 5, k: 2, N: 15, C: 3 }, 'mixed'));
  return cases;
}

/** Seeded uniform [0,1) and normal samples (numerics random32: reproducible from the seed). */
export class Rng {
  private counter = 0;
  constructor(readonly seed: number) {}
  uniform(): number {
    return random32(this.seed, this.counter++) / 2 ** 32;
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

export function storeAs(format: FormatName, x: number): number {
  return format === 'fp32' ? Math.fround(x) : roundTo(format, x);
}

export interface TieRow {
  row: number;
  /** The ranking the routing rule demands (ties to the lower index), first k entries. */
  expected: number[];
}

export interface MoeInputs {
  seed: number;
  logits: Float32Array; // (N,E) router format
  x: Float32Array; // (N,C) gather input
  eo: Float32Array; // (R,C) expert outputs
  dy: Float32Array; // (N,C) gradient of the combine output
  dxg: Float32Array; // (R,C) gradient of the gathered rows
  ties: TieRow[];
}

/** Mostly normal values, 1 in 16 tiny (1e-9..1e-4: fp16 subnormals and underflow). */
function activations(rng: Rng, format: FormatName, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const tiny = rng.uniform() < 1 / 16;
    const v = tiny
      ? Math.sign(rng.normal()) * 10 ** (-9 + 5 * rng.uniform())
      : rng.normal() * scale;
    out[i] = storeAs(format, v);
  }
  return out;
}

function logitsOf(c: MoeCase, rng: Rng): { logits: Float32Array; ties: TieRow[] } {
  const { N, E, k } = c;
  const l = new Float64Array(N * E);
  const ties: TieRow[] = [];
  const star = rng.int(E);
  for (let t = 0; t < N; t++) {
    const row = l.subarray(t * E, (t + 1) * E);
    for (let e = 0; e < E; e++) row[e] = rng.normal() * 1.5;
    if (c.mode === 'oneExpert') row[star] = 20 + rng.uniform();
    if (c.mode === 'skewed') for (let e = Math.ceil(E / 2); e < E; e++) row[e] = -8 + rng.uniform();
    if (c.mode !== 'mixed' || t % 4 === 3) continue;
    const kind = (t >> 2) % 3;
    const top = 1 + rng.uniform();
    const [i, j] = distinctPair(rng, E);
    if (kind === 0) {
      row.fill(top);
      ties.push({ row: t, expected: Array.from({ length: k }, (_, s) => s) });
    } else if (kind === 1) {
      for (let e = 0; e < E; e++) row[e] = top - 1 - 2 * rng.uniform();
      row[i] = row[j] = top;
      ties.push({ row: t, expected: [i, j].slice(0, k) });
    } else if (E >= 3) {
      const m = [...Array(E).keys()].find((e) => e !== i && e !== j)!;
      for (let e = 0; e < E; e++) row[e] = top - 3 - rng.uniform();
      row[m] = top;
      row[i] = row[j] = top - 1;
      ties.push({ row: t, expected: [m, i].slice(0, k) });
    }
  }
  return { logits: Float32Array.from(l, (v) => storeAs(c.router, v)), ties };
}

/** Two distinct experts, the lower first. */
function distinctPair(rng: Rng, E: number): [number, number] {
  const a = rng.int(E);
  const b = (a + 1 + rng.int(E - 1)) % E;
  return a < b ? [a, b] : [b, a];
}

export function moeInputs(c: MoeCase, seed: number): MoeInputs {
  const rng = new Rng(seed);
  const R = c.N * c.k;
  const { logits, ties } = logitsOf(c, rng);
  return {
    seed,
    logits,
    ties,
    x: activations(rng, c.main, c.N * c.C, 1),
    eo: activations(rng, c.main, R * c.C, 1),
    dy: activations(rng, c.main, c.N * c.C, 0.05 * c.dloss),
    dxg: activations(rng, c.main, R * c.C, 0.05 * c.dloss),
  };
}
