/**
 * One model case: the GPU model and its CPU twin, same seed, same batches, `steps` full training
 * steps, compared after each. Results: the forward (losses, expert load), the gradients of the
 * first step (as the backward stored them, then unscaled f32), the training trajectory (losses
 * of every step, grad norms, loss scale and skips, lost updates, the weights after the last
 * step, the low copy the next forward reads) and the cast-event counts. Tolerances: tolerances.ts.
 */
import { COUNTED_EVENTS, FORMATS, range, type FormatName } from '../../../numerics';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { check, type SelfTestResult } from '../../../gpu/selftest/conversion';
import { castWeights, moeForward, TENSOR_GROUPS, type MoeConfig } from '../../reference';
import { readBuffer } from '../../../gpu';
import {
  GpuMoeModel,
  castsWeights,
  isPurePolicy,
  readBackwardGrads,
  readEvents,
  readExpertLoad,
  readForwardWeights,
  readGradNorm,
  readGrads,
  readLosses,
  readLostUpdates,
  readState,
  readWeights,
  type EventCountTable,
  type LanePrecisionSettings,
  type OptimizerHyper,
} from '../../gpu';
import type { Arithmetic } from '../../../gpu/kernels/optim';
import { createCpuTwin, cpuStep, type CpuSlice, type CpuStepResult } from './cpuTwin';
import { batchOf, fmt, idBuffer, maxAbs, maxAbsDiff, poisonModel, policyOf, relErr, trainStep } from './harness';
import { toleranceOf, type Tolerance } from './tolerances';

export interface ModelCase {
  name: string;
  recipe: string;
  config: MoeConfig;
  lane?: LanePrecisionSettings;
  hyper: OptimizerHyper;
  steps: number;
  arithmetic: Arithmetic;
}

interface StepRecord {
  cpu: CpuStepResult;
  gpuLoss: Awaited<ReturnType<typeof readLosses>>;
  /** (L,E) assignments per expert this step. */
  gpuLoad: number[][];
  gpuNorm: number;
  gpuScale: number;
  gpuSkipped: number;
  gpuLost: number | null;
  /** Unscaled f32 gradients the optimizer read. */
  gpuGrads: Float64Array;
  cpuScaleAfter: number;
  ms: number;
}

type Outcome = { pass: boolean; detail: string; data?: Record<string, unknown> };

export async function runModelCase(env: SelfTestEnv, c: ModelCase, seed: number): Promise<SelfTestResult[]> {
  const policy = policyOf(c.recipe, c.lane);
  const tol = toleranceOf(policy.storage);
  const label = `${c.name} (seed ${seed})`;
  const results: SelfTestResult[] = [];
  let model: GpuMoeModel | null = null;
  const ids: GPUBuffer[] = [];
  try {
    model = await GpuMoeModel.create(env.ctx, env.cache, env.pool, c.config, policy, {
      seed,
      arithmetic: c.arithmetic,
      label: `selftest ${c.name}`,
    });
    poisonModel(model);
    const twin = createCpuTwin(c.config, policy, seed);
    const records: StepRecord[] = [];
    let first: { gpuGrads: Float64Array; gpuUnscaled: Float64Array; events: EventCountTable; load: number[][] } | null = null;
    for (let step = 1; step <= c.steps; step++) {
      const { tokens, targets } = batchOf(seed, step, c.config);
      const tok = idBuffer(env.pool, tokens, 'selftest tokens');
      const tgt = idBuffer(env.pool, targets, 'selftest targets');
      ids.push(tok, tgt);
      const ms = await trainStep(model, tok, tgt, c.hyper);
      const cpu = cpuStep(twin, step, tokens, targets, c.hyper);
      const state = await readState(model);
      records.push({
        cpu,
        gpuLoss: await readLosses(model),
        gpuLoad: await readExpertLoad(model),
        gpuNorm: (await readGradNorm(model)).norm,
        gpuScale: state.scale,
        gpuSkipped: state.skippedSteps,
        gpuLost: await readLostUpdates(model),
        gpuGrads: await readGrads(model),
        cpuScaleAfter: twin.scaler.scale,
        ms,
      });
      if (step === 1) {
        first = {
          gpuGrads: await readBackwardGrads(model),
          gpuUnscaled: records[0].gpuGrads,
          events: await readEvents(model),
          load: await readExpertLoad(model),
        };
        const cpuLoad = Array.from({ length: c.config.layers }, (_, l) =>
          Array.from(cpu.losses.expertLoad.subarray(l * c.config.experts, (l + 1) * c.config.experts)),
        );
        const f = first;
        results.push(await check(`${c.name}: forward loss`, async () => forwardOutcome(label, tol, records[0], f.load, cpuLoad)));
        results.push(await check(`${c.name}: gradients`, async () => gradOutcome(label, tol, twin.slices, cpu, f.gpuGrads, f.gpuUnscaled, records[0].gpuNorm)));
        const stored = storedSubnormals(model, f.gpuGrads);
        const cpuStored = storedSubnormals(model, cpu.backwardGrads);
        const disagree = subnormalDisagreements(model, f.gpuGrads, cpu.backwardGrads);
        results.push(await check(`${c.name}: cast events`, async () => eventOutcome(label, tol, twin.events.counts, f.events, stored, cpuStored, disagree)));
      }
    }
    const gpuWeights = await readWeights(model);
    const pure = isPurePolicy(policy);
    // The low copy is one rounding of the f32 master: one ulp of its format is allowed on top,
    // for a master that differs next to a tie. A pure recipe rounds its weights at every step:
    // one ulp per step.
    const castFormat = (s: CpuSlice) =>
      pure ? policy.weights : castsWeights(policy) && (s.kind === 'matmul' || (s.kind === 'router' && policy.router !== 'fp32')) ? policy.storage : null;
    const gpuForward = await readForwardWeights(model);
    castWeights(twin.model);
    const evaluation = await evaluationForward(model, ids[0], ids[1]);
    const first1 = batchOf(seed, 1, c.config);
    const cpuEval = moeForward(twin.model, first1.tokens, first1.targets).crossEntropy;
    const m = model;
    results.push(
      await check(`${c.name}: ${c.steps} training steps`, async () =>
        stepsOutcome(label, tol, c, records, twin.slices, { cpu: twin.model.params, gpu: gpuWeights, ulp: pure ? policy.weights : null, ulps: c.steps }, { cpu: twin.model.weights, gpu: gpuForward, ulp: castFormat, ulps: pure ? c.steps : 1 }, { ...evaluation, cpu: cpuEval }, m),
      ),
    );
  } catch (err) {
    results.push({ name: `${c.name}: model`, pass: false, detail: `${label}: threw ${(err as Error).message}`, ms: 0 });
  } finally {
    model?.destroy();
    for (const b of ids) env.pool.release(b);
  }
  return results;
}

function forwardOutcome(label: string, tol: Tolerance, r: StepRecord, gpuLoad: number[][], cpuLoad: number[][]): Outcome {
  const pairs: [string, number, number][] = [
    ['loss', r.gpuLoss.loss, r.cpu.losses.loss],
    ['cross-entropy', r.gpuLoss.crossEntropy, r.cpu.losses.crossEntropy],
    ['balance', r.gpuLoss.balance, r.cpu.losses.balance],
    ['z-loss', r.gpuLoss.zLoss, r.cpu.losses.zLoss],
  ];
  const errs = pairs.map(([n, g, cpu]) => ({ n, g, cpu, e: relErr(g, cpu) }));
  const worst = Math.max(...errs.map((e) => e.e));
  const loadEqual = JSON.stringify(gpuLoad) === JSON.stringify(cpuLoad);
  return {
    pass: worst <= tol.loss && loadEqual,
    detail: `${label}: ${errs.map((e) => `${e.n} GPU ${fmt(e.g)} CPU ${fmt(e.cpu)} (rel ${fmt(e.e)})`).join(', ')}; max rel error ${fmt(worst)} (tolerance ${fmt(tol.loss)}: ${tol.why}); expert load ${loadEqual ? 'equal' : `GPU ${JSON.stringify(gpuLoad)} CPU ${JSON.stringify(cpuLoad)}`}`,
    data: { worst, loadEqual },
  };
}

/** Per tensor slice: max |GPU - CPU| over max |CPU| (the slice's scale). */
function sliceErrors(slices: { offset: number; size: number }[], gpu: ArrayLike<number>, cpu: ArrayLike<number>) {
  let worst = 0;
  let where = -1;
  for (let j = 0; j < slices.length; j++) {
    const s = slices[j];
    const scale = maxAbs(cpu, s.offset, s.offset + s.size);
    const { err } = maxAbsDiff(gpu, cpu, s.offset, s.offset + s.size);
    const e = err === 0 ? 0 : err / Math.max(scale, 1e-30);
    if (e > worst) {
      worst = e;
      where = j;
    }
  }
  return { worst, where };
}

function gradOutcome(
  label: string,
  tol: Tolerance,
  slices: { offset: number; size: number }[],
  cpu: CpuStepResult,
  gpuGrads: Float64Array,
  gpuUnscaled: Float64Array,
  gpuNorm: number,
): Outcome {
  const stored = sliceErrors(slices, gpuGrads, cpu.backwardGrads);
  const differing = countDiffering(gpuGrads, cpu.backwardGrads, 0);
  const unscaled = sliceErrors(slices, gpuUnscaled, cpu.grads);
  const norm = relErr(gpuNorm, cpu.gradNorm);
  const worst = Math.max(stored.worst, unscaled.worst);
  return {
    pass: worst <= tol.grads && norm <= tol.gradNorm,
    detail: `${label}: gradients as stored (loss scale ${cpu.lossScale}): ${differing} of ${gpuGrads.length} differ from the CPU's at all, max error ${fmt(stored.worst)} of the tensor's largest (tensor ${stored.where}), unscaled f32 ${fmt(unscaled.worst)} (tensor ${unscaled.where}); grad norm GPU ${fmt(gpuNorm)} CPU ${fmt(cpu.gradNorm)} (rel ${fmt(norm)}); tolerance ${fmt(tol.grads)}: ${tol.gradsWhy}`,
    data: { stored: stored.worst, unscaled: unscaled.worst, norm, differing: differing / gpuGrads.length },
  };
}

/** A forward with `evaluation: true` (held-out loss): its cross-entropy, and whether the step's
 * counters stayed as they were. */
async function evaluationForward(model: GpuMoeModel, tokens: GPUBuffer, targets: GPUBuffer) {
  const { device } = model.ctx;
  const counters = model.metricBuffers.counters;
  const before = await readBuffer(device, counters);
  const enc = device.createCommandEncoder({ label: 'selftest evaluation forward' });
  model.recordForward(enc, tokens, targets, { evaluation: true });
  device.queue.submit([enc.finish()]);
  const gpu = (await readLosses(model)).crossEntropy;
  const after = await readBuffer(device, counters);
  return { gpu, countersUnchanged: before.every((w, i) => w === after[i]) };
}

/** Per site: the stored weight gradients (those counted as weight_grads, reference layout) for
 * which `test(i, isSubnormal)` holds; isSubnormal classifies a value in that gradient's format. */
function countWeightGrads(model: GpuMoeModel, test: (i: number, isSubnormal: (x: number) => boolean) => boolean): number[] {
  const { p, groups } = model.parts;
  const pure = isPurePolicy(model.policy);
  const out = new Array<number>(groups.sites).fill(0);
  for (const s of p.slices) {
    if (!pure && s.kind !== 'matmul') continue;
    const { minNormal } = range(p.gradOut[s.name][s.layer ?? 0].storage);
    const sub = (x: number) => x !== 0 && Math.abs(x) < minNormal;
    for (let i = s.refOffset; i < s.refOffset + s.size; i++) if (test(i, sub)) out[s.site]++;
  }
  return out;
}

/** Per site: stored weight gradients whose value is subnormal in their storage format. */
const storedSubnormals = (model: GpuMoeModel, grads: ArrayLike<number>): number[] =>
  countWeightGrads(model, (i, sub) => sub(grads[i]));

/** Per site, the weight gradients stored subnormal on one side and not on the other: each moves
 * the two sides' subnormal counts apart by one, and is a difference of stored values that the
 * gradient check judges (a sum that cancels, a routing tie). */
const subnormalDisagreements = (model: GpuMoeModel, gpu: ArrayLike<number>, cpu: ArrayLike<number>): number[] =>
  countWeightGrads(model, (i, sub) => sub(gpu[i]) !== sub(cpu[i]));

function eventOutcome(
  label: string,
  tol: Tolerance,
  cpu: EventCountTable,
  gpu: EventCountTable,
  storedSub: number[],
  cpuStoredSub: number[],
  disagree: number[],
): Outcome {
  const lines: string[] = [];
  let bad = 0;
  // Each side's weight_grads subnormal count is exactly the subnormals among its own stored
  // gradients; the two may then differ by the elements stored subnormal on one side only.
  for (const [side, counted, stored] of [
    ['GPU', gpu.subnormal.weight_grads, storedSub],
    ['CPU', cpu.subnormal.weight_grads, cpuStoredSub],
  ] as const) {
    const consistent = counted.every((x, s) => x === stored[s]);
    if (!consistent) bad++;
    lines.push(`${side} weight_grads subnormal counted [${counted.join(',')}], subnormal values among its stored weight gradients [${stored.join(',')}]${consistent ? ' (equal, as they must be)' : ' DIFFER'}`);
  }
  for (const e of COUNTED_EVENTS) {
    for (const g of TENSOR_GROUPS) {
      const a = gpu[e][g];
      const b = cpu[e][g];
      const sa = a.reduce((x, y) => x + y, 0);
      const sb = b.reduce((x, y) => x + y, 0);
      if (sa === 0 && sb === 0) continue;
      const allowed = Math.max(tol.eventsAbs, Math.ceil(tol.eventsRel * sb));
      const exact = g === 'weight_grads' && e === 'subnormal';
      const off = a.some((x, s) => Math.abs(x - b[s]) > Math.max(allowed, exact ? disagree[s] : 0));
      if (off) bad++;
      lines.push(`${g} ${e} GPU [${a.join(',')}] CPU [${b.join(',')}]${off ? ' OUT' : ''}`);
    }
  }
  return {
    pass: bad === 0,
    detail: `${label}: step 1 events per site (embed, layers, head): ${lines.join('; ') || 'none on either side'}; allowed per site max(${tol.eventsAbs}, ${tol.eventsRel * 100}% of the CPU count; weight_grads subnormal: the [${disagree.join(',')}] gradients stored subnormal on one side only): ${tol.eventsWhy}`,
    data: { bad },
  };
}

interface WeightPair {
  cpu: ArrayLike<number>;
  gpu: Float64Array;
  /** Format whose one-ulp rounding difference is allowed on top, per slice (or for all). */
  ulp: FormatName | null | ((s: CpuSlice) => FormatName | null);
  /** How many ulps of that format. */
  ulps: number;
}

function stepsOutcome(
  label: string,
  tol: Tolerance,
  c: ModelCase,
  records: StepRecord[],
  slices: CpuSlice[],
  weights: WeightPair,
  forward: WeightPair,
  evaluation: { gpu: number; cpu: number; countersUnchanged: boolean },
  model: GpuMoeModel,
): Outcome {
  const evalErr = relErr(evaluation.gpu, evaluation.cpu);
  const evalOk = evalErr <= tol.stepLoss && evaluation.countersUnchanged;
  const lossErr = Math.max(...records.map((r) => relErr(r.gpuLoss.loss, r.cpu.losses.loss)));
  const normErr = Math.max(...records.map((r) => relErr(r.gpuNorm, r.cpu.gradNorm)));
  const scalesEqual = records.every((r) => r.gpuScale === r.cpuScaleAfter);
  const cpuSkipped = records.filter((r) => r.cpu.stepSkipped).length;
  const skippedEqual = records[records.length - 1].gpuSkipped === cpuSkipped;
  const lostOk = records.every((r, i) => lostClose(r.gpuLost, r.cpu.lostUpdates, i === 0 ? tol.lostFirst : tol.lostLater));
  const lr = c.hyper.lr;
  const noise = noiseLevel(tol, slices, records);
  const bound = NOISE_STEP_BOUND * records.length;
  // A token whose top-k choice flips on a near tie (the forward check allows its logits to differ
  // in the last bits) trains other experts from then on: their weights part by more than the
  // tolerance, and only AdamW's bound on a step holds for them.
  const E = c.config.experts;
  const cpuLoad = (r: StepRecord) => Array.from(r.cpu.losses.expertLoad);
  const flip = records.findIndex((r) => r.gpuLoad.flat().some((n, i) => n !== cpuLoad(r)[i]));
  const rerouted = flip >= 0;
  const w = weightAgreement(tol.weights, bound, lr, tol.weightsOutliers, slices, weights, noise, rerouted);
  const fw = weightAgreement(tol.weights, bound, lr, tol.weightsOutliers, slices, forward, noise, rerouted);
  const steps = records.map(
    (r, i) => `step ${i + 1}: loss GPU ${fmt(r.gpuLoss.loss)} CPU ${fmt(r.cpu.losses.loss)}, norm GPU ${fmt(r.gpuNorm)} CPU ${fmt(r.cpu.gradNorm)}, scale ${r.gpuScale}/${r.cpuScaleAfter}${r.gpuLost !== null ? `, lost ${r.gpuLost}/${r.cpu.lostUpdates}` : ''}, ${r.ms.toFixed(0)} ms`,
  );
  const pass = lossErr <= tol.stepLoss && normErr <= tol.stepNorm && scalesEqual && skippedEqual && lostOk && w.pass && fw.pass && evalOk;
  const noisy = noise.reduce((n, x) => n + (x ? 1 : 0), 0);
  return {
    pass,
    detail: `${label}: ${steps.join('; ')}. ${rerouted ? `Routing differed at step ${flip + 1} (expert load GPU [${records[flip].gpuLoad.map((l) => l.join(',')).join(' | ')}] CPU [${chunks(cpuLoad(records[flip]), E).join(' | ')}]: a top-k choice on a near tie), so the weights are held to AdamW's bound only. ` : ''}Max rel error: loss ${fmt(lossErr)} (tolerance ${fmt(tol.stepLoss)}), grad norm ${fmt(normErr)} (${fmt(tol.stepNorm)}); loss scales ${scalesEqual ? 'equal' : 'DIFFER'}, skipped steps ${skippedEqual ? `equal (${cpuSkipped})` : 'DIFFER'}${lostOk ? '' : ', lost updates DIFFER'}. Weights after the steps: ${w.text}; as the forward reads them: ${fw.text}; tolerance ${fmt(tol.weights)} lr${weights.ulp || forward.ulp ? ' (+ one ulp of a 16-bit copy, one per step for pure weights)' : ''} for all but ${tol.weightsOutliers * 100}% of each tensor's elements, not counting ${noisy} of ${noise.length} elements whose gradient differed at the noise level (below ${fmt(tol.grads)} of its tensor's largest) at some step; every element within ${NOISE_STEP_BOUND} lr per step (|m^|/sqrt(v^) stays below about sqrt(t)): ${tol.weightsWhy}. Evaluation forward on the first batch with the trained weights: cross-entropy GPU ${fmt(evaluation.gpu)} CPU ${fmt(evaluation.cpu)} (rel ${fmt(evalErr)}), step counters ${evaluation.countersUnchanged ? 'untouched' : 'CHANGED'}. ${c.arithmetic} AdamW`,
    data: { lossErr, normErr, weightErr: w.max, forwardErr: fw.max, noisy, ms: records.map((r) => r.ms), tensors: model.parts.p.slices.length },
  };
}

/** Elements whose GPU and CPU gradients differed at some step while one of them was below the
 * tensor's noise floor (tol.grads of its largest |gradient|): AdamW normalises each gradient by
 * its own magnitude, so such an element may take a different step of up to 2 lr. */
function noiseLevel(tol: Tolerance, slices: CpuSlice[], records: StepRecord[]): boolean[] {
  const n = records[0].gpuGrads.length;
  const out = new Array<boolean>(n).fill(false);
  for (const r of records) {
    const cpu = r.cpu.grads;
    for (const s of slices) {
      const floor = tol.grads * maxAbs(cpu, s.offset, s.offset + s.size);
      for (let i = s.offset; i < s.offset + s.size; i++) {
        const g = r.gpuGrads[i];
        if (g !== cpu[i] && Math.min(Math.abs(g), Math.abs(cpu[i])) <= floor) out[i] = true;
      }
    }
  }
  return out;
}

/** lr per step that an element whose gradient differed at the noise level may drift. */
const NOISE_STEP_BOUND = 3;

/** Errors in units of lr; `allowed` and `bound` too. */
function weightAgreement(
  allowed: number,
  bound: number,
  lr: number,
  outliers: number,
  slices: CpuSlice[],
  pair: WeightPair,
  noise: boolean[],
  /** Only the bound applies (the routing differed). */
  boundOnly = false,
): { pass: boolean; max: number; text: string } {
  let worst = 0;
  let over = 0;
  let tensorsOver = 0;
  for (const s of slices) {
    const format = typeof pair.ulp === 'function' ? pair.ulp(s) : pair.ulp;
    let sliceOver = 0;
    for (let i = s.offset; i < s.offset + s.size; i++) {
      const d = Math.abs(pair.gpu[i] - pair.cpu[i]) / lr;
      const e = Number.isNaN(d) ? Infinity : d;
      worst = Math.max(worst, e);
      if (noise[i]) continue;
      if (e > allowed + (format ? (pair.ulps * ulpAt(format, pair.cpu[i])) / lr : 0)) sliceOver++;
    }
    over += sliceOver;
    if (sliceOver > Math.floor(outliers * s.size)) tensorsOver++;
  }
  const pass = (boundOnly || tensorsOver === 0) && worst <= bound;
  return {
    pass,
    max: worst,
    text: `max |GPU - CPU| ${fmt(worst)} lr (bound ${bound} lr), ${over} elements over the tolerance${tensorsOver ? `, too many in ${tensorsOver} tensors${boundOnly ? ' (rerouted: not held to it)' : ''}` : ''}`,
  };
}

/** The values in rows of `size`, each joined by commas. */
function chunks(values: readonly number[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size).join(','));
  return out;
}

/** Spacing of the format's values at x (its smallest subnormal spacing below the normals). */
function ulpAt(format: FormatName, x: number): number {
  const f = FORMATS[format];
  const emin = 1 - f.bias;
  const e = x === 0 ? emin : Math.max(emin, Math.floor(Math.log2(Math.abs(x))));
  return 2 ** (e - f.mantissaBits);
}

/** Elements whose |GPU - CPU| exceeds `above` (NaN on one side counts). */
function countDiffering(gpu: ArrayLike<number>, cpu: ArrayLike<number>, above = 0): number {
  let n = 0;
  for (let i = 0; i < gpu.length; i++) {
    const d = Math.abs(gpu[i] - cpu[i]);
    if (d > above || (Number.isNaN(d) && !(Number.isNaN(gpu[i]) && Number.isNaN(cpu[i])))) n++;
  }
  return n;
}

function lostClose(gpu: number | null, cpu: number | null, rel: number): boolean {
  if (gpu === null || cpu === null) return gpu === cpu;
  return Math.abs(gpu - cpu) <= Math.max(2, rel * cpu);
}
