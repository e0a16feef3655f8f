// Snapshot and restore on the CPU trainer: a run restored from the snapshot of step 4 into a
// fresh trainer trains steps 5..8 exactly as the uninterrupted run did (the reference is the
// uninterrupted run itself, an independent computation of the same steps), for recipes whose
// state goes beyond the weights: AdamW moments, a loss scale that backs off and grows, pure
// BF16 with stochastic rounding keyed by the step.
import { describe, expect, it } from 'vitest';
import { CpuTrainer } from './cpuBackend';
import { makeLane } from './lane';
import type { MetricsFrame } from './metrics';
import { snapshotMismatch } from './snapshot';
import { deterministicPart, testDataset, tinyRun } from './testRun.testutil';

const scaler = { init_scale: 2 ** 28, growth_factor: 4, backoff_factor: 0.25, growth_interval: 3 };
const lanes = [
  makeLane('fp32', { lr: 1e-2 }),
  makeLane('fp16-amp', { lr: 1e-2, scaler }),
  makeLane('bf16-pure', { lr: 1e-2, stochasticRounding: true }),
];
const run = () => tinyRun(lanes, { heldoutEvery: 2, heldoutBatches: 1, sampleEvery: 4, sampleLength: 6, histogramEvery: 2 });

async function trainer(): Promise<CpuTrainer> {
  const t = new CpuTrainer();
  expect(await t.configure(run(), testDataset())).toEqual({ ok: true });
  return t;
}

const comparable = (frames: MetricsFrame[]) => frames.map((f) => deterministicPart(f));

describe('snapshot and restore', () => {
  it('a restored run trains on exactly as the uninterrupted one', async () => {
    const whole = await trainer();
    const all = await whole.step(8);

    const first = await trainer();
    await first.step(4);
    // The snapshot crosses the worker boundary as structured-cloned data, and is a copy: the run
    // going on does not change it.
    const snapshot = structuredClone(await first.snapshot());
    const before = snapshot.lanes.map((l) => l.weights.slice());
    await first.step(2);
    snapshot.lanes.forEach((l, i) => expect(l.weights).toEqual(before[i]));
    expect(snapshot.step).toBe(4);
    // The fp16 lane's scale moved away from its initial value by then (backoff and growth).
    expect(snapshot.lanes[1].scale).not.toBe(scaler.init_scale);
    expect(snapshot.lanes[1].skippedSteps).toBeGreaterThan(0);

    const resumed = await trainer();
    await resumed.restore(snapshot);
    expect(resumed.status().step).toBe(4);
    const rest = await resumed.step(4);
    expect(rest.map((f) => f.step)).toEqual(all.slice(12).map((f) => f.step));
    expect(comparable(rest)).toEqual(comparable(all.slice(12)));
    // Samples of step 8 are drawn from the restored weights too.
    expect(rest.filter((f) => f.sample).map((f) => f.sample)).toEqual(all.slice(12).filter((f) => f.sample).map((f) => f.sample));
  });

  it('a snapshot of another run is refused with a sentence', async () => {
    const t = await trainer();
    await t.step(1);
    const snapshot = await t.snapshot();
    const other = new CpuTrainer();
    await other.configure(tinyRun([makeLane('fp32', { lr: 1e-2 })]), testDataset());
    await expect(other.restore(snapshot)).rejects.toThrow(/holds lanes fp32, fp16-amp, bf16-pure but the run has fp32/);
    const short = { ...snapshot, lanes: snapshot.lanes.map((l) => ({ ...l, expAvg: l.expAvg.subarray(1) })) };
    expect(snapshotMismatch(short, snapshot.lanes.map((l) => ({ id: l.id, parameters: l.weights.length })))).toMatch(
      /lane "fp32" holds \d+ expAvg values but the lane has \d+ parameters/,
    );
    await expect(new CpuTrainer().restore(snapshot)).rejects.toThrow(/not configured/);
  });
});
