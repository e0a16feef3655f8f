/**
 * The Trainer on WebGPU (DESIGN.md §4). Lanes in lockstep, as the CPU backend: step s trains
 * every running lane on data.batchAt('train', {B, T, dataSeed, step: s - 1}). Per step:
 *   one command encoder with every running lane's forward, backward, gradient histogram and
 *   optimizer, their metric copies into the next ring slot (and the held-out forwards and the
 *   weights copy for samples when due) -> ONE queue.submit -> the slot is mapped; the step's
 *   frames are built when the map resolves, in step order, while later steps are already
 *   recorded and submitted. The only wait in the loop is for a free ring slot.
 * A lane whose frame says it diverged is no longer recorded; frames of steps it was already
 * submitted for are dropped. Pipelines are compiled once (shared PipelineCache), buffers
 * allocated once per run from one BufferPool (memory by category).
 */
import type { Dataset } from '../../data/types';
import {
  BufferPool,
  GpuOperationError,
  PipelineCache,
  releaseLaunches,
  withErrorScope,
  writeWords,
  type CategoryBytes,
  type GpuContext,
} from '../../gpu';
import { chooseMatmulVariant, type MatmulVariant } from '../../gpu/kernels/matmul';
import { scalerUpdateOptionsError, type Arithmetic } from '../../gpu/kernels/optim';
import { modelPolicy, modelPolicyError, readModelState, readWeights } from '../../model/gpu';
import { recipeOf, scalerConfig } from '../lane';
import type { MetricsFrame } from '../metrics';
import { snapshotMismatch, type RunSnapshot } from '../snapshot';
import { validateRun, type ConfigureResult, type RunConfig, type Trainer, type TrainerStatus } from '../trainer';
import { GpuLane, type IdBuffers } from './gpuLane';
import { MetricsRing, type GpuCallCounts } from './ring';
import { LaneSampler } from './samples';
import { SlotLayout, regionWords } from './slotLayout';
import { StepTimer, timestampMs } from './timing';

export interface GpuTrainerOptions {
  /** Ring slots: how many steps may be in flight before the loop waits (default 4). */
  ringDepth?: number;
  /** AdamW arithmetic: 'native' (default, fast, within 2 ulp of the CPU) or 'exact'. */
  arithmetic?: Arithmetic;
  /** Matmul kernels, or 'measure' (default): the variant measured fastest on this adapter. */
  matmul?: MatmulVariant | 'measure';
}

interface Run {
  config: RunConfig;
  data: Dataset;
  pool: BufferPool;
  lanes: GpuLane[];
  /** By lane index; empty without samples. */
  samplers: (LaneSampler | null)[];
  ring: MetricsRing;
  timer: StepTimer;
  batch: IdBuffers;
  heldout: IdBuffers[];
  prompt: Int32Array;
}

const due = (step: number, every: number): boolean => every > 0 && step % every === 0;

export class GpuTrainer implements Trainer {
  readonly backend = 'webgpu' as const;
  /** mapAsync and queue.submit calls made by step() (tests: at most one each per step). */
  readonly calls: GpuCallCounts = { mapAsync: 0, submit: 0 };
  readonly #ctx: GpuContext;
  readonly #cache: PipelineCache;
  readonly #options: Required<GpuTrainerOptions>;
  #run: Run | null = null;
  /** Steps recorded and submitted. */
  #submitted = 0;
  /** Steps whose frames are built. */
  #done = 0;
  /** Frame building, in step order. */
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  /** Bumped by configure, reset and dispose: builds of an older generation are dropped. */
  #generation = 0;

  constructor(ctx: GpuContext, options: GpuTrainerOptions = {}) {
    this.#ctx = ctx;
    this.#cache = new PipelineCache(ctx.device);
    this.#options = { ringDepth: 4, arithmetic: 'native', matmul: 'measure', ...options };
  }

  async configure(config: RunConfig, data: Dataset): Promise<ConfigureResult> {
    const { maxStorageBufferBindingSize, maxBufferSize } = this.#ctx.limits;
    const errors = validateRun(config, data, { maxStorageBufferBindingSize, maxBufferSize });
    if (errors.length === 0) errors.push(...gpuErrors(config));
    if (errors.length > 0) return { ok: false, errors };
    await this.#teardown();
    const run = await this.#build(structuredClone(config), data);
    this.#run = run;
    this.#submitted = 0;
    this.#done = 0;
    this.#failure = null;
    return { ok: true };
  }

  async #build(config: RunConfig, data: Dataset): Promise<Run> {
    const ctx = this.#ctx;
    const { device } = ctx;
    const pool = new BufferPool(device);
    const lanes: GpuLane[] = [];
    try {
      const matmul =
        this.#options.matmul === 'measure' ? (await chooseMatmulVariant(ctx, this.#cache)).variant : this.#options.matmul;
      for (const lane of config.lanes) {
        lanes.push(
          await withErrorScope(device, `lane "${lane.id}" (${lane.recipe})`, () =>
            GpuLane.create(ctx, this.#cache, pool, config.model, lane, { arithmetic: this.#options.arithmetic, matmul }),
          ),
        );
      }
      const m = config.metrics;
      const { batch: B, context: T } = config.model;
      const layout = new SlotLayout();
      const heldoutBatches = m.heldoutEvery > 0 ? m.heldoutBatches : 0;
      for (const lane of lanes) lane.regions = layout.lane(lane.shape(heldoutBatches));
      const ids = (label: string, batch?: { inputs: Int32Array; targets: Int32Array }): IdBuffers => {
        const make = (what: string, values?: Int32Array) => {
          const buffer = pool.acquire({ label: `${label} ${what}`, byteLength: B * T * 4, category: 'tokens' });
          if (values) writeWords(device, buffer, new Uint32Array(values.buffer, values.byteOffset, values.length));
          return buffer;
        };
        return { tokens: make('tokens', batch?.inputs), targets: make('targets', batch?.targets) };
      };
      const heldout =
        heldoutBatches > 0
          ? data.heldoutBatches({ batch: B, context: T, seed: config.dataSeed, count: heldoutBatches }).map((b, i) => ids(`held-out batch ${i}`, b))
          : [];
      const sampling = m.sampleEvery > 0 && m.sampleLength > 0;
      return {
        config,
        data,
        pool,
        lanes,
        samplers: lanes.map((l) => (sampling ? new LaneSampler(l.config, l.model, pool, this.calls) : null)),
        ring: new MetricsRing(pool, layout.bytes, this.#options.ringDepth, this.calls, 'metrics ring'),
        timer: new StepTimer(ctx, pool, lanes.length, 'lanes'),
        batch: ids('training batch'),
        heldout,
        prompt: data.splitTokens('heldout').slice(0, Math.max(1, Math.floor(T / 4))),
      };
    } catch (error) {
      for (const lane of lanes) lane.destroy();
      pool.destroy();
      throw error;
    }
  }

  async step(n: number): Promise<MetricsFrame[]> {
    const run = this.#run;
    if (!run) throw new Error('The trainer is not configured; call configure(run, data) before step().');
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`step(n) needs a whole number of steps, 1 or more; got ${n}.`);
    const frames: MetricsFrame[] = [];
    const builds: Promise<void>[] = [];
    for (let k = 0; k < n && this.#failure === null; k++) builds.push((await this.#submitStep(run, frames)).built);
    await Promise.all(builds);
    if (this.#failure !== null) {
      const failure = this.#failure;
      this.#failure = null;
      throw failure;
    }
    return frames;
  }

  /** Records and submits the next step; `built` settles once its frames are pushed (in step
   * order). Wrapped, so that awaiting the submit does not await the frames. */
  async #submitStep(run: Run, frames: MetricsFrame[]): Promise<{ built: Promise<void> }> {
    const slot = await run.ring.acquire();
    const generation = this.#generation;
    const step = ++this.#submitted;
    const { model, metrics, dataSeed } = run.config;
    const lanes = run.lanes.filter((l) => !l.divergence);
    if (lanes.length === 0) {
      return {
        built: this.#then(generation, async () => {
          this.#done = step;
        }),
      };
    }
    const { device } = this.#ctx;
    const batch = run.data.batchAt('train', { batch: model.batch, context: model.context, seed: dataSeed, step: step - 1 });
    // Ordered on the queue after the earlier steps' submits, so one pair of buffers serves all.
    writeWords(device, run.batch.tokens, new Uint32Array(batch.inputs.buffer, batch.inputs.byteOffset, batch.inputs.length));
    writeWords(device, run.batch.targets, new Uint32Array(batch.targets.buffer, batch.targets.byteOffset, batch.targets.length));
    const heldout = due(step, metrics.heldoutEvery) ? run.heldout : null;
    const samplers = due(step, metrics.sampleEvery) ? lanes.map((l) => run.samplers[run.lanes.indexOf(l)]) : [];
    await Promise.all(samplers.map((s) => s?.idle()));

    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label: `training step ${step}` });
    for (const lane of lanes) {
      const index = run.lanes.indexOf(lane);
      lane.record(encoder, { step, batch: run.batch, slot: slot.buffer, timer: run.timer, index, heldout });
      run.samplers[index]?.record(encoder);
    }
    const submitAt = performance.now();
    device.queue.submit([encoder.finish()]);
    this.calls.submit++;
    const validation = device.popErrorScope();
    const oom = device.popErrorScope();
    const words = run.ring.read(slot).then((w) => ({ w, doneAt: performance.now() }));
    const weights = samplers.map((s) => s?.read() ?? null);
    // The build awaits these; a build dropped by a reset or a lost device never does, and their
    // rejection (the buffer destroyed before the map resolved) must not go unhandled.
    for (const p of [validation, oom, words, ...weights]) p?.catch(() => {});

    const built = this.#then(generation, async () => {
      const [v, o] = await Promise.all([validation, oom]);
      const label = `training step ${step}`;
      if (v) throw new GpuOperationError(label, 'validation', v.message);
      if (o) throw new GpuOperationError(label, 'out-of-memory', o.message);
      const { w, doneAt } = await words;
      const wallMs = run.timer.wallMs(submitAt, doneAt) / lanes.length;
      for (const [i, lane] of lanes.entries()) {
        if (lane.divergence && lane.divergence.step < step) continue;
        const stamps = run.timer.usesTimestamps ? timestampMs(regionWords(w, lane.regions!.timestamps)) : null;
        const frame = lane.frame(w, step, {
          histogram: due(step, metrics.histogramEvery),
          heldout: heldout !== null,
          stepMs: stamps ?? wallMs,
        });
        if (step === 1) frame.memory = lane.memory;
        if (frame.diverged) lane.divergence = frame.diverged;
        const sampler = samplers[i];
        const read = weights[i];
        if (!frame.diverged && sampler && read) {
          frame.sample = sampler.generate(model, run.data, run.prompt, metrics, step, await read);
        }
        frames.push(frame);
      }
      this.#done = step;
    });
    return { built };
  }

  /** Runs `build` after the builds before it; a failure is kept for step() to throw, and builds
   * of an older generation (reset, dispose) are dropped. */
  #then(generation: number, build: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(async () => {
      if (generation !== this.#generation || this.#failure !== null) return;
      try {
        await build();
      } catch (error) {
        if (generation === this.#generation) this.#failure ??= error;
      }
    });
    this.#chain = next;
    return next;
  }

  async snapshot(): Promise<RunSnapshot> {
    const run = this.#run;
    if (!run) throw new Error('The trainer is not configured; there is nothing to snapshot.');
    await this.#chain;
    if (this.#submitted !== this.#done) throw new Error(`A snapshot needs every submitted step finished; step ${this.#done + 1} is still in flight.`);
    const step = this.#done;
    const lanes = await Promise.all(
      run.lanes.map(async (l) => ({ id: l.config.id, ...(await readModelState(l.model)), divergence: l.divergence ?? null })),
    );
    return { step, lanes };
  }

  async restore(snapshot: RunSnapshot): Promise<void> {
    const run = this.#run;
    if (!run) throw new Error('The trainer is not configured; configure it with the run the snapshot was taken from, then restore.');
    const mismatch = snapshotMismatch(snapshot, run.lanes.map((l) => ({ id: l.config.id, parameters: l.model.layout.total })));
    if (mismatch) throw new Error(mismatch);
    this.#generation++;
    await this.#settle(run);
    for (const [i, lane] of run.lanes.entries()) {
      const s = snapshot.lanes[i];
      await lane.model.load(s);
      lane.divergence = s.divergence;
    }
    run.timer.reset();
    this.#submitted = snapshot.step;
    this.#done = snapshot.step;
    this.#failure = null;
  }

  async reset(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#generation++;
    await this.#settle(run);
    for (const lane of run.lanes) await lane.reset();
    run.timer.reset();
    this.#submitted = 0;
    this.#done = 0;
    this.#failure = null;
  }

  async #settle(run: Run): Promise<void> {
    await this.#chain;
    await run.ring.drain();
    await Promise.all(run.samplers.map((s) => s?.idle()));
  }

  status(): TrainerStatus {
    const lanes = this.#run?.lanes ?? [];
    return {
      step: this.#done,
      lanes: lanes.map((l) =>
        l.divergence ? { id: l.config.id, state: 'diverged', divergence: l.divergence } : { id: l.config.id, state: 'running' },
      ),
    };
  }

  /** Bytes of the run's GPU buffers by category (BufferPool), largest first. */
  memoryByCategory(): CategoryBytes[] {
    return this.#run?.pool.bytesByCategory() ?? [];
  }

  /** Bytes each lane's model holds on the GPU, by the model's categories. */
  laneMemory(): { lane: string; memory: ReturnType<GpuLane['model']['memory']> }[] {
    return (this.#run?.lanes ?? []).map((l) => ({ lane: l.config.id, memory: l.model.memory() }));
  }

  /** Whether step times come from GPU timestamps (else wall time). */
  get usesTimestamps(): boolean {
    return this.#run?.timer.usesTimestamps ?? false;
  }

  /** Explicit read-back (tests, diagnostics; never in the step loop): a lane's master weights,
   * or its pure low-precision weights, in the reference's flat layout. */
  async readLaneWeights(laneId: string): Promise<Float64Array> {
    const lane = this.#run?.lanes.find((l) => l.config.id === laneId);
    if (!lane) throw new Error(`There is no lane "${laneId}" in this run; lanes: ${this.#run?.lanes.map((l) => l.config.id).join(', ') || 'none'}.`);
    await this.#chain;
    return readWeights(lane.model);
  }

  async #teardown(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#generation++;
    this.#run = null;
    await this.#settle(run).catch(() => {});
    destroyRun(run);
    releaseLaunches(this.#cache);
  }

  dispose(): void {
    const run = this.#run;
    this.#generation++;
    this.#run = null;
    this.#submitted = 0;
    this.#done = 0;
    if (run) destroyRun(run);
    releaseLaunches(this.#cache);
  }
}

function destroyRun(run: Run): void {
  for (const lane of run.lanes) lane.destroy();
  run.timer.destroy();
  run.pool.destroy();
}

/** What the GPU cannot run that validateRun accepts, as sentences. */
function gpuErrors(config: RunConfig): string[] {
  const errors: string[] = [];
  for (const lane of config.lanes) {
    const policyError = modelPolicyError(modelPolicy(recipeOf(lane), lane));
    if (policyError) errors.push(`Lane "${lane.id}": ${policyError}`);
    const s = scalerConfig(lane);
    if (s.enabled) {
      const e = scalerUpdateOptionsError({ growthFactor: s.growth_factor, backoffFactor: s.backoff_factor, growthInterval: s.growth_interval });
      if (e) errors.push(`Lane "${lane.id}": ${e}`);
    }
  }
  return errors;
}

export function createGpuTrainer(ctx: GpuContext, options?: GpuTrainerOptions): GpuTrainer {
  return new GpuTrainer(ctx, options);
}
