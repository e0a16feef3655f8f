/**
 * The parameter layout on the GPU: the reference's tensors in the reference's order
 * (reference/parameters.ts), one slice per tensor and layer, each slice starting at a multiple of
 * VIEW_ALIGN elements so it can be bound as a view (views.ts). The padding between slices holds
 * zeros forever (weights, gradients and moments of 0 stay 0 under AdamW).
 *
 * Three flat layouts share the slice order and the alignment, so a run of slices that are
 * consecutive in the full layout lies at the same relative offsets in a sub-layout, and one
 * dispatch converts or updates the whole run:
 *   full   every slice                       master weights, gradients, moments, pure weights
 *   cast   slices the matmuls read in a low format (autocast recipes): the low-precision copy
 *          and the 16-bit gradients the backward writes for them
 *   wide   the other slices, when the loss is scaled: their scaled f32 gradients (unscaling is
 *          out of place, so they cannot be written where the unscaled ones go)
 */
import {
  PARAMETER_NAMES,
  parameterSite,
  type ParameterKind,
  type ParameterLayout,
  type ParameterName,
} from '../reference';
import { VIEW_ALIGN } from './views';

export interface GpuSlice {
  /** Index in the full slice list (tensor-table order, layers ascending). */
  readonly index: number;
  readonly name: ParameterName;
  /** Layer of a per-layer tensor; null for tensors outside the blocks. */
  readonly layer: number | null;
  /** Metrics' weight-norm name: 'wte', 'layer0.qkvw', 'lmHead'. */
  readonly label: string;
  readonly kind: ParameterKind;
  /** Site for event counting: 0 embed, 1 .. L blocks, L + 1 head. */
  readonly site: number;
  /** Shape of this slice (the tensor's shape without its leading L). */
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in the reference's unpadded flat buffer. */
  readonly refOffset: number;
  /** Offset in the full GPU layout. */
  readonly offset: number;
}

export interface SubLayout {
  /** Offset of each slice of the full list in this layout, or -1 when it is not a member. */
  readonly offsets: readonly number[];
  /** Elements, padding included. */
  readonly total: number;
}

/** A maximal run of member slices that are consecutive in the full list. */
export interface SliceRun {
  readonly first: number;
  /** One past the last slice index. */
  readonly end: number;
  /** Offset of the run in the full layout and in the sub-layout. */
  readonly offset: number;
  readonly subOffset: number;
  /** Elements from the first slice's start to the last slice's end (padding included). */
  readonly n: number;
}

export const alignUp = (n: number, a = VIEW_ALIGN): number => Math.ceil(n / a) * a;

/** Slices of the reference layout for L layers, placed in the full GPU layout. */
export function gpuSlices(layout: ParameterLayout, L: number): { slices: GpuSlice[]; total: number } {
  const slices: GpuSlice[] = [];
  let offset = 0;
  for (const name of PARAMETER_NAMES) {
    const e = layout.byName[name];
    const size = e.size / e.layers;
    const perLayer = parameterSite(name, 0, L) !== 0 && parameterSite(name, 0, L) !== L + 1;
    const shape = perLayer ? e.shape.slice(1) : e.shape;
    for (let l = 0; l < e.layers; l++) {
      const site = parameterSite(name, l, L);
      const inBlock = site >= 1 && site <= L;
      slices.push({
        index: slices.length,
        name,
        layer: inBlock ? l : null,
        label: inBlock ? `layer${l}.${name}` : name,
        kind: e.kind,
        site,
        shape,
        size,
        refOffset: e.offset + l * size,
        offset,
      });
      offset += alignUp(size);
    }
  }
  return { slices, total: Math.max(offset, VIEW_ALIGN) };
}

/** The sub-layout of the member slices, same order and alignment. */
export function subLayout(slices: readonly GpuSlice[], member: (s: GpuSlice) => boolean): SubLayout {
  let offset = 0;
  const offsets = slices.map((s) => {
    if (!member(s)) return -1;
    const o = offset;
    offset += alignUp(s.size);
    return o;
  });
  return { offsets, total: Math.max(offset, VIEW_ALIGN) };
}

/** Runs of consecutive member slices; `split` may cut a run between two slices (e.g. at a site
 * change, so each dispatch counts its events into one group). */
export function sliceRuns(
  slices: readonly GpuSlice[],
  sub: SubLayout,
  split: (a: GpuSlice, b: GpuSlice) => boolean = () => false,
): SliceRun[] {
  const runs: SliceRun[] = [];
  let i = 0;
  while (i < slices.length) {
    if (sub.offsets[i] < 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < slices.length && sub.offsets[j] >= 0 && !split(slices[j - 1], slices[j])) j++;
    const last = slices[j - 1];
    runs.push({
      first: i,
      end: j,
      offset: slices[i].offset,
      subOffset: sub.offsets[i],
      n: last.offset + last.size - slices[i].offset,
    });
    i = j;
  }
  return runs;
}

/** Scatters reference-layout values into the padded full layout (zeros in the padding). */
export function toGpuLayout(values: ArrayLike<number>, slices: readonly GpuSlice[], total: number): Float32Array {
  const out = new Float32Array(total);
  for (const s of slices) {
    for (let i = 0; i < s.size; i++) out[s.offset + i] = values[s.refOffset + i];
  }
  return out;
}

/** Gathers the padded full layout back into the reference's order. */
export function fromGpuLayout(
  values: ArrayLike<number>,
  slices: readonly GpuSlice[],
  refTotal: number,
): Float64Array {
  const out = new Float64Array(refTotal);
  for (const s of slices) {
    for (let i = 0; i < s.size; i++) out[s.refOffset + i] = values[s.offset + i];
  }
  return out;
}
