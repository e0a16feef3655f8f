/**
 * Cast-event counter groups of one model: one per (tensor group, site), group-major, named
 * 'activations.layer0', 'weights.head', ... (tensor groups and sites of reference/storeGroups.ts,
 * as train/metrics' EventTable indexes them: events[event][group][site]).
 *
 * A last group, 'uncounted', takes what the reference does not count: the f32 gradients of f32
 * parameters (layer norm, embeddings) are reductions written in f32, not casts, except in a pure
 * recipe, which stores them in its format (counted as weight_grads).
 *
 * Two counter buffers with this layout:
 *   step  what the step's kernels count (forward, backward, pure optimizer); the trainer reads it
 *   cast  the events of the optimizer's cast of the master into the low copy. The CPU reference
 *         casts at the start of each forward, so the GPU copies `cast` into `step` when a
 *         training forward begins: a frame shows the events of the cast its forward read.
 */
import { COUNTED_EVENTS, type CountedEvent } from '../../numerics';
import { EventCounters, readBuffer, type BufferPool } from '../../gpu';
import { TENSOR_GROUPS, siteNames, type TensorGroup } from '../reference';

/** events[event][group][site], as train/metrics' EventTable. */
export type EventCountTable = Record<CountedEvent, Record<TensorGroup, number[]>>;

export class CounterGroups {
  readonly sites: number;
  readonly names: string[];

  constructor(readonly layers: number) {
    const sites = siteNames(layers);
    this.sites = sites.length;
    this.names = [...TENSOR_GROUPS.flatMap((g) => sites.map((s) => `${g}.${s}`)), 'uncounted'];
  }

  /** The group of stores the reference does not count. */
  get uncounted(): number {
    return this.names.length - 1;
  }

  /** Counter group index of (tensor group, site). */
  index(group: TensorGroup, site: number): number {
    return TENSOR_GROUPS.indexOf(group) * this.sites + site;
  }

  create(pool: BufferPool, label: string): EventCounters {
    return new EventCounters(pool, this.names, label);
  }

  /** The table of a counters buffer's words. */
  table(words: Uint32Array): EventCountTable {
    const table = {} as EventCountTable;
    COUNTED_EVENTS.forEach((event, e) => {
      table[event] = {} as Record<TensorGroup, number[]>;
      for (const group of TENSOR_GROUPS) {
        table[event][group] = Array.from(
          { length: this.sites },
          (_, s) => words[this.index(group, s) * COUNTED_EVENTS.length + e],
        );
      }
    });
    return table;
  }

  async read(device: GPUDevice, counters: EventCounters): Promise<EventCountTable> {
    return this.table(await readBuffer(device, counters.buffer, counters.buffer.size));
  }
}
