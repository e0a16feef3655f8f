/**
 * Text samples of GPU lanes. The weights are read back (a copy into a per-lane MAP_READ buffer
 * recorded in the sample step's encoder, mapped after that step's submit and awaited only when
 * the step's frames are built, never before the next submit) and the text is generated on the
 * CPU by the reference model with the CPU backend's sampler (train/cpu/sampler.ts): the same
 * prompt, key and sampling rule, so a GPU lane and a CPU lane with the same weights write the
 * same text. Generation is sequential, batch 1, a few dozen tokens every few hundred steps: a
 * GPU would spend most of it waiting on read-backs, and the CPU twin needs no more kernels.
 */
import { random32 } from '../../numerics';
import { decodeWords, type BufferPool, type Tensor } from '../../gpu';
import type { Dataset } from '../../data/types';
import type { ModelConfig } from '../../model/config';
import type { GpuMoeModel } from '../../model/gpu';
import { Sampler } from '../cpu/sampler';
import type { LaneConfig } from '../lane';
import type { TextSample } from '../metrics';
import type { MetricsSchedule } from '../trainer';
import type { GpuCallCounts } from './ring';

const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const READ = 0x0001;

/** The weights tensor the optimizer updates: the f32 master, or the pure low-precision one. */
export function trainedWeights(model: GpuMoeModel): Tensor {
  const p = model.parts.p;
  return (p.master ?? p.pure) as Tensor;
}

/** GPU-layout values (padded slices) gathered into the reference's flat order. */
export function toReferenceLayout(model: GpuMoeModel, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(model.layout.total);
  for (const s of model.parts.p.slices) {
    for (let i = 0; i < s.size; i++) out[s.refOffset + i] = values[s.offset + i];
  }
  return out;
}

export class LaneSampler {
  readonly #staging: GPUBuffer;
  readonly #weights: Tensor;
  #sampler: Sampler | null = null;
  /** The read-back in flight, if any. */
  #pending: Promise<Float64Array> | null = null;

  constructor(
    readonly lane: LaneConfig,
    private readonly model: GpuMoeModel,
    pool: BufferPool,
    private readonly calls: GpuCallCounts,
  ) {
    this.#weights = trainedWeights(model);
    this.#staging = pool.acquire({
      label: `lane ${lane.id} sample weights`,
      byteLength: this.#weights.byteLength,
      category: 'read-back',
      usage: MAP_READ | COPY_DST,
    });
  }

  /** Settles when no read-back is in flight (the staging buffer may be written). */
  async idle(): Promise<void> {
    await this.#pending?.catch(() => {});
  }

  /** Records the copy of the weights after the lane's step. Call idle() first. */
  record(encoder: GPUCommandEncoder): void {
    encoder.copyBufferToBuffer(this.#weights.buffer, 0, this.#staging, 0, this.#weights.byteLength);
  }

  /** Maps the copy (right after the submit); the weights, in the reference layout. */
  read(): Promise<Float64Array> {
    this.calls.mapAsync++;
    const bytes = this.#weights.byteLength;
    const pending = this.#staging.mapAsync(READ, 0, bytes).then(() => {
      const words = new Uint32Array(this.#staging.getMappedRange(0, bytes).slice(0));
      this.#staging.unmap();
      return toReferenceLayout(this.model, decodeWords(this.#weights.storage, words, this.#weights.size));
    });
    this.#pending = pending;
    return pending;
  }

  /** The sample of step `step` from the weights read back (the CPU backend's prompt and key). */
  generate(model: ModelConfig, data: Dataset, prompt: Int32Array, m: MetricsSchedule, step: number, params: Float64Array): TextSample {
    this.#sampler ??= new Sampler(model, this.lane);
    const key = random32(this.lane.seed ^ 0x5a3c_e1f7, step);
    const ids = this.#sampler.generate(params, prompt, m.sampleLength, m.sampleTemperature, key);
    return {
      prompt: data.tokenizer.decode(prompt),
      completion: data.tokenizer.decode(ids),
      temperature: m.sampleTemperature,
    };
  }
}
