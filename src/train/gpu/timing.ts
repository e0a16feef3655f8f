/**
 * How long each lane's step took. With the timestamp-query feature: GPU timestamps written by an
 * empty compute pass before a lane's first kernel and after its last (Chrome may quantise them,
 * to 100 µs by default), resolved and copied into the ring slot with the other metrics. Without
 * it (or when the timestamps come back unusable): the wall time the GPU spent on the whole step,
 * estimated as (the slot's map resolved) - max(its submit, the previous slot's map resolved),
 * shared equally by the lanes recorded in it.
 */
import type { BufferPool, GpuContext } from '../../gpu';
import type { Region } from './slotLayout';

const QUERY_RESOLVE = 0x0200;
const COPY_SRC = 0x0004;

export class StepTimer {
  readonly #querySet: GPUQuerySet | null;
  readonly #resolve: GPUBuffer | null;
  #lastDone = -Infinity;

  constructor(ctx: GpuContext, pool: BufferPool, lanes: number, label: string) {
    const timestamps = ctx.features.has('timestamp-query');
    this.#querySet = timestamps
      ? ctx.device.createQuerySet({ label: `${label} timestamps`, type: 'timestamp', count: 2 * lanes })
      : null;
    this.#resolve = timestamps
      ? pool.acquire({ label: `${label} timestamps resolved`, byteLength: 16 * lanes, category: 'read-back', usage: QUERY_RESOLVE | COPY_SRC })
      : null;
  }

  get usesTimestamps(): boolean {
    return this.#querySet !== null;
  }

  /** Marks the start of lane i's work in the encoder. */
  begin(encoder: GPUCommandEncoder, i: number): void {
    if (!this.#querySet) return;
    encoder.beginComputePass({ label: 'lane start', timestampWrites: { querySet: this.#querySet, beginningOfPassWriteIndex: 2 * i } }).end();
  }

  /** Marks the end of lane i's work. */
  end(encoder: GPUCommandEncoder, i: number): void {
    if (!this.#querySet) return;
    encoder.beginComputePass({ label: 'lane end', timestampWrites: { querySet: this.#querySet, endOfPassWriteIndex: 2 * i + 1 } }).end();
  }

  /** Resolves lane i's pair into its region of the slot (after end()). */
  copy(encoder: GPUCommandEncoder, i: number, slot: GPUBuffer, region: Region): void {
    if (!this.#querySet || !this.#resolve) return;
    encoder.resolveQuerySet(this.#querySet, 2 * i, 2, this.#resolve, 0);
    encoder.copyBufferToBuffer(this.#resolve, 0, slot, region.offset, 16);
  }

  /** Wall-time estimate of a step's GPU work (ms): submitted at `submitAt`, read at `doneAt`. */
  wallMs(submitAt: number, doneAt: number): number {
    const ms = doneAt - Math.max(submitAt, this.#lastDone);
    this.#lastDone = doneAt;
    return Math.max(ms, 1e-3);
  }

  reset(): void {
    this.#lastDone = -Infinity;
  }

  destroy(): void {
    this.#querySet?.destroy();
  }
}

/** Milliseconds between a lane's two timestamps (u64 ns, little-endian words), or null when they
 * are unusable (not written, or not increasing). */
export function timestampMs(words: Uint32Array): number | null {
  const start = words[0] + words[1] * 2 ** 32;
  const end = words[2] + words[3] * 2 ** 32;
  if (start === 0 || end <= start) return null;
  return (end - start) / 1e6;
}
