import { describe, expect, it } from 'vitest';
import { createSeriesStore, frameMetrics } from './series';
import { seededRandom, syntheticFrame } from './testFrames.testutil';

describe('series store', () => {
  it('keeps every frame and one aligned column per metric per lane', () => {
    const store = createSeriesStore();
    const rand = seededRandom(3);
    const frames = [];
    for (let step = 1; step <= 30; step++) {
      for (const lane of ['a', 'b']) {
        frames.push(
          syntheticFrame(lane, step, rand, {
            lostUpdates: lane === 'b' && step > 10 ? step : null,
            heldoutLoss: step % 10 === 0 ? 3 : undefined,
          }),
        );
      }
    }
    store.getState().append(frames.slice(0, 20));
    store.getState().append(frames.slice(20));
    const s = store.getState();
    expect(s.frames()).toHaveLength(60);
    expect(s.maxStep).toBe(30);
    const a = s.lanes.get('a');
    const b = s.lanes.get('b');
    if (!a || !b) throw new Error('lanes missing');
    expect(a.steps.length).toBe(30);
    for (const col of a.columns.values()) expect(col.length).toBe(30);
    // Each column equals the frame's field, step by step.
    const aFrames = frames.filter((f) => f.lane === 'a');
    aFrames.forEach((f, i) => {
      expect(a.column('loss')?.get(i)).toBe(f.loss);
      expect(a.column('weight_norm/layer0.qkvw')?.get(i)).toBe(f.weightNorms['layer0.qkvw']);
      const underflowWeights = f.events.underflow.weights.reduce((x, y) => x + y, 0);
      expect(a.column('underflow/weights')?.get(i)).toBe(underflowWeights);
      expect(a.column('expert_load/layer0/e3')?.get(i)).toBe(40);
    });
    // lost_updates exists for b from step 11 on; NaN before.
    expect(b.column('lost_updates')?.get(9)).toBeNaN();
    expect(b.column('lost_updates')?.get(10)).toBe(11);
    expect(Array.from(a.heldout.steps.toArray())).toEqual([10, 20, 30]);
    expect(a.valueAt('loss', 15.5)).toBe(aFrames[14].loss);
    expect(a.valueAt('loss', 0)).toBeNaN();
  });

  it('drops a frame whose step the lane already has (a late message from before a reset)', () => {
    const store = createSeriesStore();
    const rand = seededRandom(4);
    store.getState().append([syntheticFrame('a', 1, rand), syntheticFrame('a', 2, rand)]);
    store.getState().append([syntheticFrame('a', 2, rand), syntheticFrame('a', 1, rand), syntheticFrame('a', 3, rand)]);
    expect(store.getState().frames().map((f) => f.step)).toEqual([1, 2, 3]);
  });

  it('bumps version once per batch, and clear() empties everything', () => {
    const store = createSeriesStore();
    const rand = seededRandom(5);
    let notified = 0;
    const unsubscribe = store.subscribe(() => notified++);
    store.getState().append([syntheticFrame('a', 1, rand), syntheticFrame('b', 1, rand)]);
    expect(notified).toBe(1);
    store.getState().clear();
    expect(store.getState().frames()).toHaveLength(0);
    expect(store.getState().lanes.size).toBe(0);
    unsubscribe();
  });

  it('frameMetrics names every column after the CSV metrics', () => {
    const f = syntheticFrame('a', 1, seededRandom(6));
    const names = frameMetrics(f).map(([n]) => n);
    expect(names).toContain('tokens_per_s');
    expect(names).toContain('overflow/activation_grads');
    expect(names).toContain('weight_norm/total');
    expect(new Set(names).size).toBe(names.length);
  });

  it('samples from frames and from samples messages land once, in step order', () => {
    const store = createSeriesStore();
    const rand = seededRandom(7);
    store.getState().append([syntheticFrame('a', 1, rand, { sample: { prompt: 'p', completion: 'x', temperature: 1 } })]);
    store.getState().addSamples([
      { lane: 'a', step: 5, prompt: 'p', completion: 'y', temperature: 1 },
      { lane: 'a', step: 1, prompt: 'p', completion: 'x', temperature: 1 },
    ]);
    expect(store.getState().lanes.get('a')?.samples.map((s) => s.step)).toEqual([1, 5]);
  });

  it('truncate forgets the steps after a resumed snapshot; replayed steps append again', () => {
    const store = createSeriesStore();
    const rand = seededRandom(11);
    const frame = (lane: string, step: number) =>
      syntheticFrame(lane, step, rand, {
        heldoutLoss: step % 4 === 0 ? 3 - step / 100 : undefined,
        gradHistogram: step % 3 === 0 ? { minExponent: -10, counts: [step], below: 0, above: 0, zeros: 0, nonfinite: 0 } : undefined,
        sample: step % 5 === 0 ? { prompt: 'To', completion: ` ${step}`, temperature: 0 } : undefined,
      });
    // 4100 steps: the cut falls inside the second 4096-element chunk of every column.
    const all = [];
    for (let step = 1; step <= 4100; step++) all.push(frame('a', step), frame('b', step));
    store.getState().append(all);
    const kept = all.filter((f) => f.step <= 4097);
    store.getState().truncate(4097);
    const s = store.getState();
    expect(s.maxStep).toBe(4097);
    expect(s.frames()).toEqual(kept);
    const a = s.lanes.get('a')!;
    expect(a.steps.length).toBe(4097);
    for (const col of a.columns.values()) expect(col.length).toBe(4097);
    expect(a.heldout.steps.last()).toBe(4096);
    expect(a.histograms.at(-1)?.step).toBe(4095);
    expect(a.samples.at(-1)?.step).toBe(4095);
    // The replayed steps land again, where a repeated step would otherwise be dropped.
    const again = [frame('a', 4098), frame('b', 4098)];
    store.getState().append(again);
    expect(store.getState().lanes.get('a')!.valueAt('loss', 4098)).toBe(again[0].loss);
    expect(store.getState().lanes.get('a')!.steps.length).toBe(4098);
    // Truncating to 0 leaves empty lanes.
    store.getState().truncate(0);
    expect(store.getState().frames()).toEqual([]);
    expect(store.getState().lanes.get('b')!.steps.length).toBe(0);
    expect(store.getState().maxStep).toBe(0);
  });
});
