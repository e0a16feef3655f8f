/**
 * Browser self-test of the WebGPU trainer against the CPU backend: the same run (every recipe as
 * a lane, the tiny model) trained `steps` steps by both, frames compared step by step and lane by
 * lane, and the weights after the last step read back explicitly and compared element by
 * element. The GPU side runs all steps in one step(n) call, so several steps are in flight in the
 * metrics ring while they are checked. e2e/gpu-trainer.spec.ts runs it.
 */
import type { Dataset } from '../../../data/types';
import type { GpuContext } from '../../../gpu';
import { random32 } from '../../../numerics';
import { modelConfig, type ModelConfig } from '../../../model/config';
import { fmt, relErr } from '../../../model/selftest/model/harness';
import { toleranceOf } from '../../../model/selftest/model/tolerances';
import { CpuTrainer } from '../../cpuBackend';
import { CpuLane } from '../../cpu/cpuLane';
import { isPure } from '../../cpu/laneModel';
import { Sampler } from '../../cpu/sampler';
import { makeLane, recipeOf, type LaneConfig } from '../../lane';
import type { MetricsFrame } from '../../metrics';
import { RECIPE_NAMES } from '../../recipes';
import type { MetricsSchedule, RunConfig } from '../../trainer';
import { createGpuTrainer, type GpuTrainerOptions } from '../gpuTrainer';
import {
  LATER_STEP_EVENT_SLACK,
  differenceNorms,
  eventsOff,
  expertNormsOf,
  histogramOff,
  markNoise,
  normsOf,
  scalarErrors,
  weightsCheck,
  worstRel,
  type Check,
} from './measures';

export type { Check };

export interface CompareOptions {
  steps?: number;
  lanes?: LaneConfig[];
  dataSeed?: number;
  trainer?: GpuTrainerOptions;
}

export interface CompareResult {
  checks: Check[];
  /** Wall ms of the GPU's step(n) and the CPU's. */
  gpuMs: number;
  cpuMs: number;
  usesTimestamps: boolean;
}

/**
 * The batch seed. After the first step the two sides' weights differ at the noise level (AdamW
 * moves an element with a noise-level gradient by up to ~lr either way), and under fp16 without
 * loss scaling, where many gradients underflow on one side only, that can flip a token's top-k
 * choice on a near tie; the expert then sees other tokens and its weights part by far more than
 * the tolerance. That is the recipe's nature, not a trainer fault: with seed 11 it happens at
 * step 2 (3 of 256 assignments moved); seeds 1 to 6 route identically for three steps.
 */
const DATA_SEED = 2;

const keysOf = (f: MetricsFrame) => Object.keys(f).sort().join(',');

export async function compareWithCpu(ctx: GpuContext, data: Dataset, o: CompareOptions = {}): Promise<CompareResult> {
  const steps = o.steps ?? 3;
  const lanes = o.lanes ?? RECIPE_NAMES.map((r) => makeLane(r));
  const metrics: MetricsSchedule = {
    heldoutEvery: steps,
    heldoutBatches: 2,
    sampleEvery: steps,
    sampleLength: 12,
    sampleTemperature: 0,
    histogramEvery: 1,
  };
  const run: RunConfig = { model: modelConfig('tiny', data.vocab), lanes, dataSeed: o.dataSeed ?? DATA_SEED, metrics };
  const gpu = createGpuTrainer(ctx, o.trainer);
  const checks: Check[] = [];
  try {
    const configured = await gpu.configure(run, data);
    if (!configured.ok) return { checks: [{ name: 'configure', pass: false, detail: configured.errors.join(' ') }], gpuMs: 0, cpuMs: 0, usesTimestamps: false };
    let t0 = performance.now();
    const gpuFrames = await gpu.step(steps);
    const gpuMs = performance.now() - t0;
    const gpuWeights = await Promise.all(lanes.map((l) => gpu.readLaneWeights(l.id)));

    t0 = performance.now();
    const cpu = new CpuTrainer();
    await cpu.configure(run, data);
    const cpuFrames = cpu.stepSync(steps);
    const cpuMs = performance.now() - t0;
    // The CPU trainer's lanes are private: the same lanes again, for weights and gradients.
    const twins = lanes.map((l) => new CpuLane(run.model, l));
    const noise = twins.map((t) => new Uint8Array(t.model.layout.total));
    const noiseCounts = twins.map((): number[] => []);
    for (let step = 1; step <= steps; step++) {
      const batch = data.batchAt('train', { batch: run.model.batch, context: run.model.context, seed: run.dataSeed, step: step - 1 });
      twins.forEach((t, i) => {
        t.train(step, batch, false);
        noiseCounts[i].push(markNoise(noise[i], t.model.grads, t.slices, toleranceOf(recipeOf(lanes[i]).storageFormat)));
      });
    }

    const order = (fs: MetricsFrame[]) => fs.map((f) => `${f.step}:${f.lane}`).join(' ');
    checks.push({
      name: 'frames in lockstep',
      pass: order(gpuFrames) === order(cpuFrames),
      detail: `GPU ${order(gpuFrames)}; CPU ${order(cpuFrames)}`,
    });
    lanes.forEach((lane, i) => {
      const g = gpuFrames.filter((f) => f.lane === lane.id);
      const c = cpuFrames.filter((f) => f.lane === lane.id);
      if (g.length !== c.length) return;
      checks.push(...laneChecks({ lane, model: run.model, data }, g, c, gpuWeights[i], twins[i], noise[i], noiseCounts[i], steps));
    });
    return { checks, gpuMs, cpuMs, usesTimestamps: gpu.usesTimestamps };
  } finally {
    gpu.dispose();
  }
}

function laneChecks(
  { lane, model, data }: { lane: LaneConfig; model: ModelConfig; data: Dataset },
  g: MetricsFrame[],
  c: MetricsFrame[],
  gpuWeights: Float64Array,
  twin: CpuLane,
  noise: Uint8Array,
  noiseCounts: number[],
  steps: number,
): Check[] {
  const recipe = recipeOf(lane);
  const tol = toleranceOf(recipe.storageFormat);
  const id = lane.id;
  const out: Check[] = [];
  const keys = g.map(keysOf).join(' | ');
  out.push({ name: `${id}: frame fields`, pass: keys === c.map(keysOf).join(' | '), detail: `GPU ${keys}; CPU ${c.map(keysOf).join(' | ')}` });

  const err = scalarErrors(g, c);
  const same = (f: keyof MetricsFrame) => g.every((x, k) => x[f] === c[k][f]);
  const flags = same('lossScale') && same('foundInf') && same('stepSkipped') && same('lr');
  out.push({
    name: `${id}: losses and grad norm`,
    pass: err.loss <= tol.stepLoss && err.ceLoss <= tol.stepLoss && err.balanceLoss <= tol.stepLoss && err.zLoss <= tol.stepLoss && err.gradNorm <= tol.stepNorm && flags,
    detail: `loss GPU [${g.map((f) => fmt(f.loss))}] CPU [${c.map((f) => fmt(f.loss))}]; worst rel: ${Object.entries(err).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')} (losses ${fmt(tol.stepLoss)}, grad norm ${fmt(tol.stepNorm)}: ${tol.why}); loss scale [${g.map((f) => f.lossScale)}] / [${c.map((f) => f.lossScale)}], skipped [${g.map((f) => f.stepSkipped)}] / [${c.map((f) => f.stepSkipped)}]${flags ? '' : ' DIFFER'}`,
  });

  const problems: string[] = [];
  g.forEach((x, k) => {
    const y = c[k];
    const s = `step ${x.step}`;
    if (JSON.stringify(x.expertLoad) !== JSON.stringify(y.expertLoad)) problems.push(`${s} expert load (a routing flip, see DATA_SEED) GPU ${JSON.stringify(x.expertLoad)} CPU ${JSON.stringify(y.expertLoad)}`);
    for (const e of eventsOff(x.events, y.events, tol, k === 0 ? 1 : LATER_STEP_EVENT_SLACK)) problems.push(`${s} ${e}`);
    const h = histogramOff(x.gradHistogram, y.gradHistogram, tol, noiseCounts[k]);
    if (h) problems.push(`${s} ${h}`);
    const elements = twin.model.layout.total;
    const zeros = [Math.round(x.gradZeroFraction * elements), Math.round(y.gradZeroFraction * elements)];
    if (Math.abs(zeros[0] - zeros[1]) > Math.max(tol.eventsAbs, tol.eventsRel * zeros[1])) problems.push(`${s} zero gradients GPU ${zeros[0]} CPU ${zeros[1]}`);
    if ((x.lostUpdates === null) !== (y.lostUpdates === null)) problems.push(`${s} lost updates GPU ${x.lostUpdates} CPU ${y.lostUpdates}`);
    else if (x.lostUpdates !== null && relErr(x.lostUpdates, y.lostUpdates as number) > (k === 0 ? tol.lostFirst : tol.lostLater) && Math.abs(x.lostUpdates - (y.lostUpdates as number)) > tol.eventsAbs) {
      problems.push(`${s} lost updates GPU ${x.lostUpdates} CPU ${y.lostUpdates}`);
    }
    if (x.tokensPerSecond <= 0 || !(x.stepMs > 0)) problems.push(`${s} timing ${x.stepMs} ms, ${x.tokensPerSecond} tokens/s`);
  });
  out.push({
    name: `${id}: expert load, events, histogram, zeros, lost updates`,
    pass: problems.length === 0,
    detail: problems.length ? problems.join('; ') : `equal within max(${tol.eventsAbs}, ${tol.eventsRel * 100}%) per count (${tol.eventsWhy}); expert load equal`,
  });

  const last = g[g.length - 1];
  const slices = twin.slices;
  // Every tensor and every expert (expertSpans.ts).
  const fromGpu = worstRel(last.weightNorms, { ...normsOf(gpuWeights, slices), ...expertNormsOf(gpuWeights, twin.expertSpans) });
  // |‖a‖ - ‖b‖| <= ‖a - b‖: the CPU frame's norms may differ by no more than the weights do.
  const apart = { ...differenceNorms(gpuWeights, twin.model.params, slices), ...expertNormsOf(gpuWeights, twin.expertSpans, twin.model.params) };
  const cpuNorms = c[c.length - 1].weightNorms;
  const labels = [...slices.map((s) => s.label), ...new Set(twin.expertSpans.map((s) => s.label))];
  const over = labels.filter((k) => !(Math.abs(last.weightNorms[k] - cpuNorms[k]) <= apart[k] + 1e-5 * cpuNorms[k]));
  out.push({
    name: `${id}: weight norms`,
    pass: fromGpu.err <= 1e-5 && over.length === 0,
    detail: `the last frame's norms vs norms of the weights read back: worst rel ${fmt(fromGpu.err)} (${fromGpu.at}; 1e-5: f32 sums in another order); vs the CPU frame's norms, within the norm of the weights' difference (+1e-5 rel): ${over.length === 0 ? 'all tensors and experts' : `OVER in ${over.map((k) => `${k} GPU ${fmt(last.weightNorms[k])} CPU ${fmt(cpuNorms[k])} apart ${fmt(apart[k])}`).join(', ')}`}`,
  });
  out.push(weightsCheck(`${id}: weights after ${steps} steps`, gpuWeights, twin.model.params, slices, noise, tol, lane.lr, steps, isPure(lane) ? recipe.weightsFormat : null));

  const gh = last.heldoutLoss;
  const ch = c[c.length - 1].heldoutLoss;
  const gs = last.sample;
  const cs = c[c.length - 1].sample;
  // The sample is a function of the weights at its step (the last one here): the CPU sampler on
  // the GPU's weights read back must write the same text. The CPU backend's own text may differ
  // where a greedy choice is a near tie and the weights differ at the noise level.
  const key = random32(lane.seed ^ 0x5a3c_e1f7, last.step);
  const expected = gs && cs ? data.tokenizer.decode(new Sampler(model, lane).generate(gpuWeights, data.tokenizer.encode(cs.prompt), gs.completion.length, cs.temperature, key)) : null;
  const sampleOk = gs !== undefined && cs !== undefined && gs.prompt === cs.prompt && gs.temperature === cs.temperature && gs.completion.length === cs.completion.length && gs.completion === expected;
  out.push({
    name: `${id}: held-out loss and sample`,
    pass: gh !== undefined && ch !== undefined && relErr(gh, ch) <= tol.stepLoss && sampleOk,
    detail: `held-out GPU ${gh} CPU ${ch} (rel ${fmt(relErr(gh ?? NaN, ch ?? NaN))}, tolerance ${fmt(tol.stepLoss)}); prompt ${JSON.stringify(gs?.prompt)} / ${JSON.stringify(cs?.prompt)}; greedy sample GPU ${JSON.stringify(gs?.completion)}, CPU sampler on the GPU's weights ${JSON.stringify(expected)}, CPU backend ${JSON.stringify(cs?.completion)}`,
  });
  return out;
}
