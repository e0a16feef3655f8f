/**
 * Where each lane's metrics land in one slot of the read-back ring: a flat byte layout of
 * regions, each the copy of one small GPU buffer (copyBufferToBuffer needs 4-byte multiples).
 * Every slot has the same layout; a lane's regions are consecutive, lanes in configuration
 * order.
 */
import { OPTIMIZER_STATE_WORDS, NORM_HEADER } from '../../gpu/kernels/optim';
import { lossWords } from '../../model/gpu';
import { HIST } from './kernels/gradHistogram';

export interface Region {
  /** Bytes from the slot's start. */
  readonly offset: number;
  readonly bytes: number;
}

/** What decides a lane's region sizes. */
export interface LaneShape {
  layers: number;
  experts: number;
  /** Bytes of the model's event counters buffer. */
  counterBytes: number;
  /** Parameter tensor slices (norm outputs hold 3 words per slice). */
  tensors: number;
  /** Spans of the per-expert weight norms. */
  expertSpans: number;
  /** Pure recipes count lost updates per slice. */
  pure: boolean;
  /** Held-out batches (0: no held-out loss). */
  heldoutBatches: number;
}

export interface LaneRegions {
  /** The optimizer state before the step (the loss scale its backward used). */
  stateBefore: Region;
  /** f32: total, cross-entropy, balance, z-loss, then per-layer aux losses. */
  loss: Region;
  /** (L,E) u32. */
  expertLoad: Region;
  counters: Region;
  gradNorm: Region;
  weightNorm: Region;
  expertWeightNorm: Region;
  /** After the step: found_inf of the step, skipped steps, the updated scale. */
  stateAfter: Region;
  lostUpdates: Region | null;
  histogram: Region;
  /** f32 cross-entropy of each held-out batch (written on held-out steps only). */
  heldout: Region | null;
  /** Two u64 GPU timestamps (ns): the lane's first and last pass (timestamp-query only). */
  timestamps: Region;
}

export const normOutputBytes = (tensors: number): number => (NORM_HEADER + 3 * tensors) * 4;

export class SlotLayout {
  #bytes = 0;

  /** A region of `bytes` (rounded up to whole u32 words) after the last one. */
  add(bytes: number): Region {
    const region = { offset: this.#bytes, bytes: Math.ceil(bytes / 4) * 4 };
    this.#bytes += region.bytes;
    return region;
  }

  /** Bytes of a slot, at least one word. */
  get bytes(): number {
    return Math.max(4, this.#bytes);
  }

  lane(s: LaneShape): LaneRegions {
    return {
      stateBefore: this.add(OPTIMIZER_STATE_WORDS * 4),
      loss: this.add(lossWords(s.layers) * 4),
      expertLoad: this.add(s.layers * s.experts * 4),
      counters: this.add(s.counterBytes),
      gradNorm: this.add(normOutputBytes(s.tensors)),
      weightNorm: this.add(normOutputBytes(s.tensors)),
      expertWeightNorm: this.add(normOutputBytes(s.expertSpans)),
      stateAfter: this.add(OPTIMIZER_STATE_WORDS * 4),
      lostUpdates: s.pure ? this.add(s.tensors * 4) : null,
      histogram: this.add(HIST.words * 4),
      heldout: s.heldoutBatches > 0 ? this.add(s.heldoutBatches * 4) : null,
      timestamps: this.add(16),
    };
  }
}

/** The words of a region (a view into the slot's copy). */
export function regionWords(slot: Uint32Array, r: Region): Uint32Array {
  return slot.subarray(r.offset / 4, (r.offset + r.bytes) / 4);
}
