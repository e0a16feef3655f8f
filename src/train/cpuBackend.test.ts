// The recipes on the tiny model, trained on the CPU reference in lockstep. References are
// independent of the code under test where one exists: the model's own forward for the first
// loss, a replay of PyTorch's scaler rule for the scale trace, numerics' classify for the weight
// cast, and a plain AdamW step for the lost updates.
import { describe, expect, it } from 'vitest';
import { classify } from '../numerics';
import { adamwStep, createMoeModel, F32, moeForward } from '../model/reference';
import { isBf16Value } from '../model/reference/gradCheck';
import { CpuTrainer } from './cpuBackend';
import { CpuLane } from './cpu/cpuLane';
import { initStdOf, moeConfigOf } from './cpu/laneModel';
import { makeLane } from './lane';
import { TENSOR_GROUPS, type MetricsFrame } from './metrics';
import { deterministicPart, sum, testDataset, tinyRun } from './testRun.testutil';

async function train(run: ReturnType<typeof tinyRun>, steps: number): Promise<{ trainer: CpuTrainer; frames: MetricsFrame[] }> {
  const trainer = new CpuTrainer();
  const configured = await trainer.configure(run, testDataset());
  expect(configured).toEqual({ ok: true });
  return { trainer, frames: await trainer.step(steps) };
}

const ofLane = (frames: MetricsFrame[], id: string) => frames.filter((f) => f.lane === id);

describe('CPU trainer', () => {
  it('fp32: the first loss is the reference forward on batch 0, and the loss falls', async () => {
    const lane = makeLane('fp32', { lr: 1e-2 });
    const run = tinyRun([lane], { heldoutEvery: 10, heldoutBatches: 2 });
    const { frames } = await train(run, 20);
    const data = testDataset();
    const ref = createMoeModel(moeConfigOf(run.model, lane), { main: F32 }, lane.seed, initStdOf(run.model));
    const batch0 = data.batchAt('train', { batch: run.model.batch, context: run.model.context, seed: run.dataSeed, step: 0 });
    expect(frames[0].loss).toBe(moeForward(ref, batch0.inputs, batch0.targets).loss);
    const losses = frames.map((f) => f.loss);
    expect(sum(losses.slice(-5)) / 5).toBeLessThan(losses[0] - 0.5);
    const heldout = frames.filter((f) => f.heldoutLoss !== undefined).map((f) => f.heldoutLoss as number);
    expect(heldout).toHaveLength(2);
    expect(heldout[1]).toBeLessThan(heldout[0]);
    expect(frames.every((f) => f.lossScale === 1 && !f.stepSkipped && f.lostUpdates === null)).toBe(true);
  });

  it("fp16-amp: the loss scale follows PyTorch's GradScaler rule, and skipped steps leave the weights alone", async () => {
    const scaler = { init_scale: 2 ** 28, growth_factor: 4, backoff_factor: 0.25, growth_interval: 3 };
    const run = tinyRun([makeLane('fp16-amp', { lr: 1e-2, scaler })], { histogramEvery: 1 });
    const { frames } = await train(run, 12);
    let scale = scaler.init_scale;
    let tracker = 0;
    for (const [i, f] of frames.entries()) {
      expect(f.lossScale, `step ${f.step}`).toBe(scale);
      expect(f.stepSkipped).toBe(f.foundInf);
      // found_inf is about the scaled gradients as stored.
      expect(f.foundInf).toBe((f.gradHistogram?.nonfinite ?? 0) > 0);
      if (f.stepSkipped && i > 0) expect(f.weightNorms).toEqual(frames[i - 1].weightNorms);
      if (f.foundInf) {
        scale *= scaler.backoff_factor;
        tracker = 0;
      } else if (++tracker === scaler.growth_interval) {
        scale *= scaler.growth_factor;
        tracker = 0;
      }
    }
    // The trace exercised both branches: backoff from 2^28, then growth.
    expect(frames.filter((f) => f.stepSkipped).length).toBeGreaterThan(0);
    expect(frames.some((f, i) => i > 0 && f.lossScale > frames[i - 1].lossScale)).toBe(true);
    expect(sum(frames.map((f) => sum(f.events.overflow.activation_grads) + sum(f.events.overflow.weight_grads)))).toBeGreaterThan(0);
  });

  it('fp16-amp-noscale underflows in weight_grads and has more zero gradients than fp16-amp; the weights are cast once', async () => {
    // Small init (std 0.005): gradients of ~1e-8 that fp16 cannot hold without a scale.
    const run = tinyRun([makeLane('fp16-amp'), makeLane('fp16-amp-noscale'), makeLane('fp32')], {}, { initStd: 0.005 });
    const { frames } = await train(run, 1);
    const [amp, noscale, fp32] = frames;
    expect(sum(noscale.events.underflow.weight_grads)).toBeGreaterThan(10);
    expect(sum(noscale.events.underflow.activation_grads)).toBeGreaterThan(100);
    expect(sum(amp.events.underflow.weight_grads)).toBe(0);
    expect(noscale.gradZeroFraction).toBeGreaterThan(amp.gradZeroFraction);
    // The per-layer breakdown adds up to the total: embed, layer0, head.
    expect(noscale.events.underflow.weight_grads).toHaveLength(3);
    // Weights group: one fp16 cast of every matmul weight, classified by numerics.
    const ref = createMoeModel(moeConfigOf(run.model, run.lanes[0]), { main: F32 }, 1337, 0.005);
    const want = { subnormal: 0, underflow: 0 };
    for (const e of ref.layout.entries) {
      if (e.kind !== 'matmul') continue;
      for (let i = e.offset; i < e.offset + e.size; i++) {
        const c = classify('fp16', ref.params[i]);
        if (c === 'subnormal' || c === 'underflow') want[c]++;
      }
    }
    expect(want.subnormal).toBeGreaterThan(0);
    expect(sum(amp.events.subnormal.weights)).toBe(want.subnormal);
    expect(sum(amp.events.underflow.weights)).toBe(want.underflow);
    expect(sum(fp32.events.subnormal.weights)).toBe(0); // no cast at all
  });

  it('bf16-pure counts lost updates exactly; stochastic rounding loses fewer', () => {
    const run = tinyRun([]);
    const data = testDataset();
    const batch = data.batchAt('train', { batch: run.model.batch, context: run.model.context, seed: 3, step: 0 });
    const nearest = new CpuLane(run.model, makeLane('bf16-pure', { lr: 1e-3 }));
    const before = Float32Array.from(nearest.model.params);
    expect(before.every(isBf16Value)).toBe(true);
    const frame = nearest.train(1, batch, false);
    const after = nearest.model.params;
    // The f32 update a master copy would take, from the same (clipped) gradients.
    const updated = Float32Array.from(before);
    const n = before.length;
    adamwStep(F32, updated, nearest.model.grads, new Float32Array(n), new Float32Array(n), 1, { lr: 1e-3 });
    let lost = 0;
    for (let i = 0; i < n; i++) if (updated[i] !== before[i] && after[i] === before[i]) lost++;
    expect(lost).toBeGreaterThan(n / 100);
    expect(frame.lostUpdates).toBe(lost);
    expect(after.every(isBf16Value)).toBe(true);
    const stochastic = new CpuLane(run.model, makeLane('bf16-pure', { lr: 1e-3, stochasticRounding: true }));
    const sr = stochastic.train(1, batch, false);
    expect(stochastic.model.params.every(isBf16Value)).toBe(true);
    expect(sr.lostUpdates).toBeGreaterThan(0);
    expect(sr.lostUpdates as number).toBeLessThan(lost);
  });

  it('is deterministic: same seeds give identical frames, after reset() too', async () => {
    const lanes = [
      makeLane('fp32'),
      makeLane('fp16-amp'),
      makeLane('fp16-amp-noscale', { router: 'low' }),
      makeLane('bf16-amp'),
      makeLane('bf16-pure', { stochasticRounding: true }),
    ];
    const run = tinyRun(lanes, { heldoutEvery: 2, heldoutBatches: 1, sampleEvery: 2, sampleLength: 4, histogramEvery: 2 });
    const first = await train(run, 2);
    await first.trainer.reset();
    expect(first.trainer.status().step).toBe(0);
    const again = await first.trainer.step(2);
    const other = (await train(run, 2)).frames;
    expect(first.frames).toHaveLength(10);
    expect(again.map(deterministicPart)).toEqual(first.frames.map(deterministicPart));
    expect(other.map(deterministicPart)).toEqual(first.frames.map(deterministicPart));
    const last = first.frames.filter((f) => f.step === 2);
    expect(last.every((f) => typeof f.sample?.completion === 'string' && f.sample.completion.length === 4)).toBe(true);
    expect(last.every((f) => f.heldoutLoss !== undefined && f.gradHistogram !== undefined)).toBe(true);
    expect(first.frames.filter((f) => f.step === 1).every((f) => f.memory !== undefined)).toBe(true);
    // Same init and batch: every lane starts near the same loss, the recipes differ by rounding.
    const start = first.frames.filter((f) => f.step === 1).map((f) => f.loss);
    expect(Math.max(...start) - Math.min(...start)).toBeLessThan(0.01);
  });

  it('a lane whose learning rate blows up stops at that step, naming the group; the others go on', async () => {
    const run = tinyRun([makeLane('fp32'), makeLane('fp32', { id: 'hot', lr: 1e30, gradClip: null }), makeLane('bf16-amp')]);
    const { trainer, frames } = await train(run, 3);
    const hot = ofLane(frames, 'hot');
    expect(hot.length).toBeLessThan(3);
    const stop = hot[hot.length - 1];
    expect(stop.diverged).toBeDefined();
    const d = stop.diverged!;
    expect(d.step).toBe(stop.step);
    expect(TENSOR_GROUPS).toContain(d.group);
    expect(d.message).toMatch(new RegExp(`^Lane "hot" diverged at step ${d.step}: .*first non-finite values appeared in ${d.group}`));
    expect(ofLane(frames, 'fp32').map((f) => f.step)).toEqual([1, 2, 3]);
    expect(ofLane(frames, 'bf16-amp').map((f) => f.step)).toEqual([1, 2, 3]);
    expect(ofLane(frames, 'fp32').every((f) => Number.isFinite(f.loss) && !f.diverged)).toBe(true);
    expect(trainer.status().lanes.map((l) => l.state)).toEqual(['running', 'diverged', 'running']);
    expect(trainer.status().lanes[1].divergence).toEqual(d);
    expect(await trainer.step(1)).toHaveLength(2);
  });

  it('refuses a bad run with sentences, and step() before configure', async () => {
    const trainer = new CpuTrainer();
    await expect(trainer.step(1)).rejects.toThrow(/not configured; call configure/);
    const run = tinyRun([makeLane('fp32', { lr: -1 })], {}, { heads: 3, vocab: 5 });
    const result = await trainer.configure(run, testDataset());
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toContain('heads is 3, which does not divide d = 32; each head needs d / heads channels, so pick heads among 1, 2, 4, 8, 16, 32.');
    expect(errors).toContain('Lane "fp32": lr is -1; it must be a positive number (try 1e-3).');
    expect(errors.some((e) => /^vocab is 5 but the synthetic dataset has \d+ symbols; set vocab to \d+\.$/.test(e))).toBe(true);
  });
});
