// The worker's controller in Node, on the CPU trainer at the tiny size with the synthetic task.
// The reference for the frames is a CpuTrainer driven directly (the controller must pass them on
// unchanged, in order); the play loop, the speed cap, reset, fallbacks and device loss are checked
// against what the protocol promises.
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticDataset } from '../data';
import type { GpuContext } from '../gpu/device';
import { modelConfig } from '../model/config';
import { CpuTrainer } from '../train/cpuBackend';
import { makeLane } from '../train/lane';
import type { MetricsFrame } from '../train/metrics';
import { DEFAULT_METRICS_SCHEDULE, type RunConfig, type Trainer } from '../train/trainer';
import type { BackendOptions } from './backends';
import { LabController } from './controller';
import type { DatasetCache } from './datasets';
import type { StatusMessage, WorkerCommand, WorkerMessage } from './protocol';

const SEED = 5;
const synthetic = (() => {
  const r = syntheticDataset({ seed: SEED });
  if (!r.ok) throw new Error(r.message);
  return r.value;
})();

const run = (overrides: Partial<RunConfig['metrics']> = {}): RunConfig => ({
  model: modelConfig('tiny', synthetic.vocab),
  lanes: [makeLane('fp32'), makeLane('bf16-amp')],
  dataSeed: SEED,
  metrics: {
    ...DEFAULT_METRICS_SCHEDULE,
    heldoutEvery: 2,
    heldoutBatches: 1,
    sampleEvery: 0,
    histogramEvery: 0,
    ...overrides,
  },
});

const configure = (r: RunConfig = run(), backend: 'cpu' | 'webgpu' = 'cpu'): WorkerCommand => ({
  type: 'configure',
  run: r,
  dataset: 'synthetic',
  backend,
});

class Harness {
  readonly messages: WorkerMessage[] = [];
  readonly controller: LabController;
  constructor(backends?: Omit<BackendOptions, 'onDeviceLost'>, snapshotEvery?: number) {
    // Every message crosses a structured clone, as it would cross the worker boundary.
    this.controller = new LabController({
      post: (m) => this.messages.push(structuredClone(m)),
      backends,
      snapshotEvery,
    });
  }
  async send(...commands: unknown[]): Promise<void> {
    for (const c of commands) this.controller.receive(c);
    await this.controller.settled();
  }
  of<T extends WorkerMessage['type']>(type: T): Extract<WorkerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<WorkerMessage, { type: T }> => m.type === type);
  }
  get frames(): MetricsFrame[] {
    return this.of('metrics').flatMap((m) => m.frames);
  }
  get status(): StatusMessage {
    const all = this.of('status');
    return all[all.length - 1];
  }
  clear(): void {
    this.messages.length = 0;
  }
}

const withoutClock = (f: MetricsFrame) => ({ ...f, stepMs: 0, tokensPerSecond: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let harness: Harness | null = null;
afterEach(() => {
  harness?.controller.dispose();
  harness = null;
});

describe('training worker controller', () => {
  it('configures, steps 3 in lockstep and passes the trainer frames on unchanged', async () => {
    const h = (harness = new Harness());
    await h.send(configure(), { type: 'step', n: 3 });
    expect(h.of('error')).toEqual([]);
    // Periodic statuses while stepping may repeat a state; the sequence of states is fixed.
    const states = h.of('status').map((s) => s.state);
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual([
      'configuring',
      'paused',
      'stepping',
      'paused',
    ]);
    expect(h.status).toMatchObject({
      state: 'paused',
      step: 3,
      backend: 'cpu',
      lanes: [
        { id: 'fp32', state: 'running' },
        { id: 'bf16-amp', state: 'running' },
      ],
    });
    expect(h.status.fallback).toBeUndefined();

    const reference = new CpuTrainer();
    expect(await reference.configure(run(), synthetic)).toEqual({ ok: true });
    const expected = await reference.step(3);
    expect(h.frames.map((f) => [f.step, f.lane])).toEqual(expected.map((f) => [f.step, f.lane]));
    expect(h.frames.map(withoutClock)).toEqual(expected.map(withoutClock));
    expect(h.frames.filter((f) => f.heldoutLoss !== undefined).map((f) => f.step)).toEqual([2, 2]);
  });

  it('plays until paused, and no frame arrives after the paused status', async () => {
    const h = (harness = new Harness());
    await h.send(configure());
    h.controller.receive({ type: 'play' });
    await sleep(400);
    await h.send({ type: 'pause' });
    const paused = h.status;
    expect(paused.state).toBe('paused');
    expect(paused.step).toBeGreaterThan(0);
    const count = h.frames.length;
    expect(count).toBe(paused.step * 2);
    await sleep(150);
    expect(h.frames.length).toBe(count);
    // play again: it goes on from where it stopped
    h.controller.receive({ type: 'play' });
    await sleep(200);
    await h.send({ type: 'pause' });
    expect(h.status.step).toBeGreaterThan(paused.step);
    expect(h.frames.map((f) => f.step)).toEqual(
      Array.from({ length: h.status.step }, (_, i) => [i + 1, i + 1]).flat(),
    );
  });

  it('holds the steps-per-second cap while playing', async () => {
    const h = (harness = new Harness());
    await h.send(configure(run({ heldoutEvery: 0 })), { type: 'setSpeed', stepsPerSecond: 10 });
    const t0 = performance.now();
    h.controller.receive({ type: 'play' });
    await sleep(700);
    await h.send({ type: 'pause' });
    const seconds = (performance.now() - t0) / 1000;
    // At most one step per 100 ms (plus the first, at once).
    expect(h.status.step).toBeLessThanOrEqual(Math.floor(seconds * 10) + 1);
    expect(h.status.step).toBeGreaterThanOrEqual(2);
  });

  it('reset goes back to step 0 and replays the same first step', async () => {
    const h = (harness = new Harness());
    await h.send(configure(), { type: 'step', n: 2 });
    const first = h.frames.filter((f) => f.step === 1).map(withoutClock);
    h.clear();
    await h.send({ type: 'reset' });
    expect(h.status).toMatchObject({ state: 'paused', step: 0 });
    await h.send({ type: 'step', n: 1 });
    expect(h.frames.map(withoutClock)).toEqual(first);
  });

  it('answers an unknown command, a bad field and an unconfigured play with sentences', async () => {
    const h = (harness = new Harness());
    await h.send({ type: 'train' }, { type: 'step', n: 1.5 }, { type: 'play' });
    const errors = h.of('error').map((e) => e.message);
    expect(errors[0]).toBe(
      'Unknown command message type "train"; expected one of configure, play, pause, step, reset, setSpeed, resume, loseDevice.',
    );
    expect(errors[1]).toMatch(/step command's n is 1\.5/);
    expect(errors[2]).toBe('There is no run to play: send a configure command first.');
  });

  it('refuses an invalid run with the validation sentences and keeps the previous run', async () => {
    const h = (harness = new Harness());
    await h.send(configure(), { type: 'step', n: 1 });
    const bad = run();
    bad.model = { ...bad.model, heads: 3 };
    bad.lanes = [makeLane('fp32', { lr: -1 })];
    h.clear();
    await h.send(configure(bad));
    const [error] = h.of('error');
    expect(error.details).toEqual([
      expect.stringMatching(/^heads is 3, which does not divide d = 32/),
      expect.stringMatching(/^Lane "fp32": lr is -1; it must be a positive number/),
    ]);
    expect(error.message).toMatch(/^The run was not configured: it has 2 problems/);
    expect(h.status).toMatchObject({ state: 'paused', step: 1, backend: 'cpu' });
  });

  it('a configure that throws is reported, and the worker stays usable', async () => {
    const failing = {
      open: () => Promise.reject(new Error('disk on fire')),
    } as unknown as DatasetCache;
    const messages: WorkerMessage[] = [];
    const controller = new LabController({ post: (m) => messages.push(m), datasets: failing });
    controller.receive(configure());
    await controller.settled();
    expect(messages.filter((m) => m.type === 'error')).toEqual([
      {
        type: 'error',
        message: 'The configure command failed in the training worker: disk on fire.',
      },
    ]);
    expect(messages.at(-1)).toMatchObject({ type: 'status', state: 'unconfigured' });
    controller.dispose();
  });

  it("says so when 'webgpu' is asked for and the run falls back to the CPU", async () => {
    const h = (harness = new Harness({ gpuTrainer: null }));
    await h.send(configure(run(), 'webgpu'));
    expect(h.of('error').map((e) => e.message)).toEqual([
      expect.stringMatching(/WebGPU backend asked for is not built.*CPU reference instead/),
    ]);
    expect(h.status).toMatchObject({
      state: 'paused',
      backend: 'cpu',
      fallback: expect.stringMatching(/CPU reference/),
    });

    const noDevice = (harness = new Harness({
      gpuTrainer: () => new CpuTrainer(),
      acquire: () => Promise.reject(new Error('This browser has no WebGPU.')),
    }));
    h.controller.dispose();
    await noDevice.send(configure(run(), 'webgpu'));
    expect(noDevice.status).toMatchObject({
      backend: 'cpu',
      fallback: expect.stringMatching(
        /^WebGPU is not available\. This browser has no WebGPU\. This run trains on the CPU/,
      ),
    });
  });

  it('stops the run when the GPU device is lost, and resumes from the last snapshot', async () => {
    // A stand-in GPU trainer (the CPU trainer under the 'webgpu' name) on a fake device whose
    // loss the test triggers; the second acquire gives a new device.
    let lose: (info: { reason: GPUDeviceLostReason; message: string }) => void = () => {};
    let acquired = 0;
    const acquire: BackendOptions['acquire'] = async (onLost) => {
      acquired++;
      lose = onLost;
      return { device: { destroy() {} } } as unknown as GpuContext;
    };
    const gpuLike = (): Trainer => Object.assign(new CpuTrainer(), { backend: 'webgpu' as const });
    const h = (harness = new Harness({ gpuTrainer: gpuLike, acquire }, 2));
    await h.send(configure(run(), 'webgpu'), { type: 'step', n: 5 });
    expect(h.status).toMatchObject({ backend: 'webgpu', step: 5 });
    const original = h.frames.map(withoutClock);
    lose({ reason: 'unknown', message: 'GPU process crashed' });
    expect(h.of('deviceLost')).toEqual([
      {
        type: 'deviceLost',
        reason: expect.stringMatching(
          /^The GPU device was lost \(unknown\): GPU process crashed\. The run stopped after step 5\.$/,
        ),
        step: 5,
        snapshotStep: 4,
      },
    ]);
    expect(h.status).toMatchObject({ state: 'unconfigured', backend: null });

    h.clear();
    await h.send({ type: 'resume' });
    expect(acquired).toBe(2);
    expect(h.of('resumed')).toEqual([{ type: 'resumed', step: 4, lostSteps: 1, backend: 'webgpu' }]);
    expect(h.status).toMatchObject({ state: 'paused', backend: 'webgpu', step: 4 });
    await h.send({ type: 'step', n: 2 });
    // Step 5 again, exactly as before the loss (the same batch on the same state), then step 6.
    expect(h.frames.map((f) => f.step)).toEqual([5, 5, 6, 6]);
    expect(h.frames.slice(0, 2).map(withoutClock)).toEqual(original.slice(8, 10));
    // Nothing left to resume once resumed.
    h.clear();
    await h.send({ type: 'resume' });
    expect(h.of('error').map((e) => e.message)).toEqual([expect.stringMatching(/^There is no lost run to resume/)]);
  });

  it('a resume after a loss with no snapshot yet starts at step 0, on the CPU when WebGPU does not come back', async () => {
    let lose: (info: { reason: GPUDeviceLostReason; message: string }) => void = () => {};
    let acquired = 0;
    const acquire: BackendOptions['acquire'] = async (onLost) => {
      if (++acquired > 1) throw new Error('The adapter is gone');
      lose = onLost;
      return { device: { destroy() {} } } as unknown as GpuContext;
    };
    const gpuLike = (): Trainer => Object.assign(new CpuTrainer(), { backend: 'webgpu' as const });
    const h = (harness = new Harness({ gpuTrainer: gpuLike, acquire }, 50));
    await h.send(configure(run(), 'webgpu'), { type: 'step', n: 3 });
    lose({ reason: 'unknown', message: '' });
    expect(h.of('deviceLost')[0]).toMatchObject({ step: 3, snapshotStep: 0, reason: expect.stringMatching(/the browser gave no reason/) });
    h.clear();
    await h.send({ type: 'resume' });
    expect(h.of('resumed')).toEqual([{ type: 'resumed', step: 0, lostSteps: 3, backend: 'cpu' }]);
    expect(h.status).toMatchObject({ state: 'paused', backend: 'cpu', step: 0, fallback: expect.stringMatching(/The adapter is gone/) });
  });

  it('loseDevice destroys the held device and reports it as a loss; without one it says so', async () => {
    let onLost: (info: { reason: GPUDeviceLostReason; message: string }) => void = () => {};
    const acquire: BackendOptions['acquire'] = async (lost) => {
      onLost = lost;
      return { device: { destroy: () => onLost({ reason: 'destroyed', message: '' }) } } as unknown as GpuContext;
    };
    const gpuLike = (): Trainer => Object.assign(new CpuTrainer(), { backend: 'webgpu' as const });
    const h = (harness = new Harness({ gpuTrainer: gpuLike, acquire }));
    await h.send({ type: 'loseDevice' });
    expect(h.of('error').map((e) => e.message)).toEqual([expect.stringMatching(/^There is no GPU device to lose/)]);
    await h.send(configure(run(), 'webgpu'), { type: 'step', n: 1 }, { type: 'loseDevice' });
    expect(h.of('deviceLost')).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/lab destroyed it on request/), step: 1, snapshotStep: 0 }),
    ]);
  });

  it('sends samples apart from the metrics, and a laneDiverged after the frame that holds it', async () => {
    const h = (harness = new Harness());
    await h.send(configure(run({ sampleEvery: 2, sampleLength: 8, heldoutEvery: 0 })), {
      type: 'step',
      n: 2,
    });
    expect(h.frames.every((f) => f.sample === undefined)).toBe(true);
    const [samples] = h.of('samples');
    expect(samples.samples.map((s) => [s.lane, s.step, s.completion.length])).toEqual([
      ['fp32', 2, 8],
      ['bf16-amp', 2, 8],
    ]);

    // A lane whose numbers blow up: fp16 without scaling at an absurd learning rate and no clipping.
    const wild = run({ heldoutEvery: 0 });
    wild.lanes = [makeLane('fp32'), makeLane('fp16-amp-noscale', { lr: 1e4, gradClip: null })];
    h.clear();
    await h.send(configure(wild), { type: 'step', n: 8 });
    const diverged = h.of('laneDiverged');
    expect(diverged).toHaveLength(1);
    expect(diverged[0].lane).toBe('fp16-amp-noscale');
    const at = diverged[0].divergence.step;
    const order = h.messages.map((m) => m.type);
    const metricsWithIt = h.messages.findIndex(
      (m) => m.type === 'metrics' && m.frames.some((f) => f.diverged),
    );
    expect(metricsWithIt).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('laneDiverged')).toBeGreaterThan(metricsWithIt);
    expect(
      h.frames
        .filter((f) => f.lane === 'fp16-amp-noscale')
        .map((f) => f.step)
        .at(-1),
    ).toBe(at);
    expect(h.status.lanes).toEqual([
      { id: 'fp32', state: 'running' },
      { id: 'fp16-amp-noscale', state: 'diverged', divergence: diverged[0].divergence },
    ]);
  });
});
