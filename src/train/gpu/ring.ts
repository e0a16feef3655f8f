/**
 * The read-back ring (DESIGN.md §4: no blocking read-back in the step loop). A few MAP_READ
 * staging buffers, used in turn: a step's encoder copies its metric buffers into the next slot,
 * the step is submitted, then the slot is mapped; the map resolves a step or more later, its
 * words are copied out and the slot is free again. The only wait is for a slot: with every slot
 * in flight, the next step waits for the oldest (back-pressure).
 */
import type { BufferPool } from '../../gpu';

// GPUBufferUsage / GPUMapMode as the WebGPU spec's numbers, so this module imports in Node.
const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const READ = 0x0001;

export interface RingSlot {
  readonly index: number;
  readonly buffer: GPUBuffer;
}

interface SlotState extends RingSlot {
  /** Settles when the slot's words are out and it may be written again. */
  free: Promise<void> | null;
}

/** Counts of GPU calls in the step loop, for tests that the loop stays asynchronous. */
export interface GpuCallCounts {
  mapAsync: number;
  submit: number;
}

export class MetricsRing {
  readonly #slots: SlotState[];
  #next = 0;

  constructor(
    pool: BufferPool,
    readonly bytes: number,
    readonly depth: number,
    readonly calls: GpuCallCounts,
    label: string,
  ) {
    if (!(Number.isInteger(depth) && depth >= 1)) {
      throw new RangeError(`The metrics ring needs at least one slot; got depth ${depth}.`);
    }
    this.#slots = Array.from({ length: depth }, (_, index) => ({
      index,
      buffer: pool.acquire({ label: `${label} slot ${index}`, byteLength: bytes, category: 'read-back', usage: MAP_READ | COPY_DST }),
      free: null,
    }));
  }

  /** The next slot, once it is free (waits only when every slot is in flight). */
  async acquire(): Promise<RingSlot> {
    const slot = this.#slots[this.#next];
    this.#next = (this.#next + 1) % this.depth;
    if (slot.free) await slot.free;
    return slot;
  }

  /** Maps the slot (call right after the submit that fills it); resolves with a copy of its
   * words, or rejects when the map fails (device lost, buffer destroyed). */
  read(slot: RingSlot): Promise<Uint32Array> {
    const state = this.#slots[slot.index];
    this.calls.mapAsync++;
    const words = slot.buffer.mapAsync(READ, 0, this.bytes).then(() => {
      const copy = new Uint32Array(slot.buffer.getMappedRange(0, this.bytes).slice(0));
      slot.buffer.unmap();
      return copy;
    });
    state.free = words.then(
      () => {},
      () => {},
    );
    return words;
  }

  /** Settles when every slot in flight has been read. */
  async drain(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.free));
  }
}
