import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../data';
import { LabController } from '../worker/controller';
import { DatasetCache } from '../worker/datasets';
import type { LaneConfig, StatusMessage, WorkerCommand, WorkerMessage } from '../worker/protocol';
import { createRunStore, type ConfiguredRun } from './runState';
import { createSeriesStore } from './series';
import { connectSession, type LabClientLike } from './session';
import { seededRandom, syntheticFrame } from './testFrames.testutil';

/** A client whose messages the test sends by hand; it records the commands. */
function fakeClient(): LabClientLike & { sent: WorkerCommand[]; emit(m: WorkerMessage): void } {
  const listeners = new Set<(m: WorkerMessage) => void>();
  const sent: WorkerCommand[] = [];
  return {
    sent,
    send: (c) => sent.push(c),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose: () => listeners.clear(),
    emit: (m) => listeners.forEach((l) => l(m)),
  };
}

const status = (state: StatusMessage['state'], step: number): StatusMessage => ({
  type: 'status',
  state,
  step,
  backend: 'cpu',
  lanes: [],
  stepsPerSecond: 0,
});

// Written out (the store layer does not import train or model): the tiny size, two lanes.
const lane = (recipe: LaneConfig['recipe']): LaneConfig => ({
  id: recipe,
  recipe,
  router: 'f32',
  lr: 1e-3,
  schedule: { kind: 'constant' },
  gradClip: 1,
  balanceCoef: 0.01,
  zLossCoef: 0.001,
  seed: 1337,
});

const configured = (vocab = 10): ConfiguredRun => ({
  run: {
    model: { vocab, d: 32, layers: 1, heads: 2, experts: 4, topK: 2, context: 16, batch: 8 },
    lanes: [lane('fp32'), lane('bf16-amp')],
    dataSeed: 7,
    metrics: { heldoutEvery: 0, heldoutBatches: 1, sampleEvery: 0, sampleLength: 0, sampleTemperature: 0, histogramEvery: 2 },
  },
  dataset: 'synthetic',
  backend: 'cpu',
  revision: 0,
});

describe('session with a scripted worker', () => {
  it('drops frames of the old run until the new run says step 0, then sends the queued play', () => {
    const client = fakeClient();
    const run = createRunStore();
    const series = createSeriesStore();
    const session = connectSession(client, { run, series });
    const rand = seededRandom(1);
    client.emit({ type: 'metrics', frames: [syntheticFrame('fp32', 1, rand)] });
    expect(series.getState().frames()).toHaveLength(1);

    session.configure(configured(), { type: 'play' });
    expect(client.sent.map((c) => c.type)).toEqual(['configure']);
    client.emit({ type: 'metrics', frames: [syntheticFrame('fp32', 2, rand)] }); // in flight, old run
    client.emit(status('configuring', 2));
    expect(client.sent.map((c) => c.type)).toEqual(['configure']);
    client.emit(status('paused', 0));
    expect(series.getState().frames()).toHaveLength(0);
    expect(client.sent.map((c) => c.type)).toEqual(['configure', 'play']);
    client.emit({ type: 'metrics', frames: [syntheticFrame('fp32', 1, rand)] });
    expect(series.getState().frames()).toHaveLength(1);
    expect(run.getState().configured?.run.lanes).toHaveLength(2);
  });

  it('a refused configure keeps the old run and its series, and sends no play', () => {
    const client = fakeClient();
    const run = createRunStore();
    const series = createSeriesStore();
    const session = connectSession(client, { run, series });
    const rand = seededRandom(2);
    client.emit({ type: 'metrics', frames: [syntheticFrame('fp32', 1, rand)] });
    session.configure(configured(), { type: 'step', n: 1 });
    client.emit({ type: 'error', message: 'The run was not configured: lr is -1.', details: ['lr is -1.'] });
    client.emit(status('paused', 1));
    expect(series.getState().frames()).toHaveLength(1);
    expect(client.sent.map((c) => c.type)).toEqual(['configure']);
    expect(run.getState().error?.details).toEqual(['lr is -1.']);
    expect(run.getState().configured).toBeNull();
    client.emit({ type: 'metrics', frames: [syntheticFrame('fp32', 2, rand)] });
    expect(series.getState().frames()).toHaveLength(2);
  });

  it('the fallback sentence shows once, as the banner, not also as an error', () => {
    const client = fakeClient();
    const run = createRunStore();
    connectSession(client, { run, series: createSeriesStore() });
    const why = 'The WebGPU backend asked for is not built into this version of the lab yet.';
    client.emit({ type: 'error', message: why });
    client.emit({ ...status('paused', 0), fallback: why });
    expect(run.getState().fallback).toBe(why);
    expect(run.getState().error).toBeNull();
  });

  it('a resume drops the series after the snapshot, clears the loss, then plays', () => {
    const client = fakeClient();
    const run = createRunStore();
    const series = createSeriesStore();
    const session = connectSession(client, { run, series });
    const rand = seededRandom(5);
    series.getState().append([1, 2, 3, 4, 5].map((s) => syntheticFrame('fp32', s, rand)));
    client.emit({ type: 'deviceLost', reason: 'The GPU was reset.', step: 5, snapshotStep: 2 });
    session.resume({ type: 'play' });
    expect(client.sent).toEqual([{ type: 'resume' }]);
    client.emit({ type: 'resumed', step: 2, lostSteps: 3, backend: 'webgpu' });
    expect(series.getState().frames().map((f) => f.step)).toEqual([1, 2]);
    expect(run.getState().deviceLost).toBeNull();
    expect(client.sent).toEqual([{ type: 'resume' }, { type: 'play' }]);
  });

  it('device loss and divergence land in their slices', () => {
    const client = fakeClient();
    const run = createRunStore();
    const series = createSeriesStore();
    connectSession(client, { run, series });
    client.emit({ type: 'deviceLost', reason: 'The GPU was reset.', step: 7, snapshotStep: 0 });
    expect(run.getState().deviceLost).toEqual({ reason: 'The GPU was reset.', step: 7, snapshotStep: 0 });
    const divergence = { step: 3, reason: 'loss' as const, group: null, site: null, event: null, message: 'The loss became NaN.' };
    client.emit({ type: 'laneDiverged', lane: 'fp32', divergence });
    expect(series.getState().lanes.get('fp32')?.divergence).toEqual(divergence);
  });
});

describe('session with the real worker controller (CPU trainer, in process)', () => {
  it('configure, step 3, reset: the series hold exactly the frames of the current run', async () => {
    const data = syntheticDataset({ seed: 7, length: 20_000 });
    if (!data.ok) throw new Error(data.message);
    const listeners = new Set<(m: WorkerMessage) => void>();
    const controller = new LabController({
      post: (m) => listeners.forEach((l) => l(structuredClone(m))),
      datasets: new DatasetCache(),
      flushIntervalMs: 0,
    });
    const client: LabClientLike = {
      send: (c) => controller.receive(structuredClone(c)),
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      dispose: () => controller.dispose(),
    };
    const run = createRunStore();
    const series = createSeriesStore();
    const session = connectSession(client, { run, series });
    session.configure(configured(data.value.vocab), { type: 'step', n: 3 });
    await controller.settled();
    // The queued step is sent from the status handler; let it run.
    await new Promise((r) => setTimeout(r, 0));
    await controller.settled();
    expect(run.getState().error).toBeNull();
    expect(run.getState().step).toBe(3);
    expect(series.getState().frames().map((f) => `${f.lane}@${f.step}`)).toEqual([
      'fp32@1', 'bf16-amp@1', 'fp32@2', 'bf16-amp@2', 'fp32@3', 'bf16-amp@3',
    ]);
    expect(series.getState().lanes.get('fp32')?.histograms.map((h) => h.step)).toEqual([2]);
    session.reset();
    await controller.settled();
    expect(run.getState().step).toBe(0);
    expect(series.getState().frames()).toHaveLength(0);
    session.dispose();
  });
});
