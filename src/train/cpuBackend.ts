/**
 * The Trainer on the CPU reference (the fallback backend and the truth the WebGPU backend is
 * checked against). Lanes in lockstep: step s draws one batch, data.batchAt('train', {B, T,
 * dataSeed, step: s - 1}), and every running lane trains on it in configuration order. Held-out
 * loss, text samples and gradient histograms are taken on the steps the schedule names.
 */
import type { Batch, Dataset } from '../data/types';
import { random32 } from '../numerics';
import { CpuLane } from './cpu/cpuLane';
import { Sampler } from './cpu/sampler';
import type { MetricsFrame } from './metrics';
import { snapshotMismatch, type RunSnapshot } from './snapshot';
import {
  validateRun,
  type ConfigureResult,
  type RunConfig,
  type Trainer,
  type TrainerStatus,
} from './trainer';

interface Run {
  config: RunConfig;
  data: Dataset;
  heldout: Batch[];
  prompt: Int32Array;
}

const due = (step: number, every: number): boolean => every > 0 && step % every === 0;

export class CpuTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  #run: Run | null = null;
  #lanes: CpuLane[] = [];
  #samplers = new Map<string, Sampler>();
  #step = 0;

  async configure(config: RunConfig, data: Dataset): Promise<ConfigureResult> {
    const errors = validateRun(config, data);
    if (errors.length > 0) return { ok: false, errors };
    const { batch, context } = config.model;
    const m = config.metrics;
    const heldout = m.heldoutEvery > 0 ? data.heldoutBatches({ batch, context, seed: config.dataSeed, count: m.heldoutBatches }) : [];
    const promptLength = Math.max(1, Math.floor(context / 4));
    const prompt = data.splitTokens('heldout').slice(0, promptLength);
    this.#run = { config: structuredClone(config), data, heldout, prompt };
    this.#build();
    return { ok: true };
  }

  async step(n: number): Promise<MetricsFrame[]> {
    return this.stepSync(n);
  }

  /** step() without the promise, for scripts and tests. */
  stepSync(n: number): MetricsFrame[] {
    const run = this.#run;
    if (!run) throw new Error('The trainer is not configured; call configure(run, data) before step().');
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`step(n) needs a whole number of steps, 1 or more; got ${n}.`);
    const { model, metrics, dataSeed } = run.config;
    const frames: MetricsFrame[] = [];
    for (let k = 0; k < n; k++) {
      const step = ++this.#step;
      const batch = run.data.batchAt('train', { batch: model.batch, context: model.context, seed: dataSeed, step: step - 1 });
      for (const lane of this.#lanes) {
        if (lane.divergence) continue;
        const frame = lane.train(step, batch, due(step, metrics.histogramEvery));
        if (step === 1) frame.memory = lane.memory;
        if (!frame.diverged) this.#extras(run, lane, frame);
        frames.push(frame);
      }
    }
    return frames;
  }

  #extras(run: Run, lane: CpuLane, frame: MetricsFrame): void {
    const { metrics } = run.config;
    if (due(frame.step, metrics.heldoutEvery)) frame.heldoutLoss = lane.heldoutLoss(run.heldout);
    if (due(frame.step, metrics.sampleEvery) && metrics.sampleLength > 0) {
      const sampler = this.#samplers.get(lane.config.id) ?? new Sampler(run.config.model, lane.config);
      this.#samplers.set(lane.config.id, sampler);
      const key = random32(lane.config.seed ^ 0x5a3c_e1f7, frame.step);
      const ids = sampler.generate(lane.model.params, run.prompt, metrics.sampleLength, metrics.sampleTemperature, key);
      const tokenizer = run.data.tokenizer;
      frame.sample = {
        prompt: tokenizer.decode(run.prompt),
        completion: tokenizer.decode(ids),
        temperature: metrics.sampleTemperature,
      };
    }
  }

  async snapshot(): Promise<RunSnapshot> {
    return { step: this.#step, lanes: this.#lanes.map((l) => l.snapshot()) };
  }

  async restore(snapshot: RunSnapshot): Promise<void> {
    if (!this.#run) throw new Error('The trainer is not configured; configure it with the run the snapshot was taken from, then restore.');
    const mismatch = snapshotMismatch(snapshot, this.#lanes.map((l) => ({ id: l.config.id, parameters: l.model.layout.total })));
    if (mismatch) throw new Error(mismatch);
    this.#lanes.forEach((lane, i) => lane.restore(snapshot.lanes[i]));
    this.#step = snapshot.step;
  }

  async reset(): Promise<void> {
    if (this.#run) this.#build();
  }

  #build(): void {
    const run = this.#run as Run;
    this.#lanes = run.config.lanes.map((lane) => new CpuLane(run.config.model, lane));
    this.#samplers.clear();
    this.#step = 0;
  }

  status(): TrainerStatus {
    return {
      step: this.#step,
      lanes: this.#lanes.map((l) =>
        l.divergence ? { id: l.config.id, state: 'diverged', divergence: l.divergence } : { id: l.config.id, state: 'running' },
      ),
    };
  }

  dispose(): void {
    this.#run = null;
    this.#lanes = [];
    this.#samplers.clear();
    this.#step = 0;
  }
}

export function createCpuTrainer(): CpuTrainer {
  return new CpuTrainer();
}
