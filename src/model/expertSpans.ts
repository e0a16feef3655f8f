/**
 * Each expert's share of the parameters, for its weight norm: expert e of layer l owns row block
 * e of every expert tensor of that layer (fc1w (E,F,C), fc1b (E,F), fc2w (E,C,F), fc2b (E,C)).
 * The spans are given in whatever flat layout the slices come in (the reference's, or the GPU's
 * padded one), ordered layer, expert, tensor; an expert's norm combines its spans' norms.
 */
export const EXPERT_TENSORS: readonly string[] = ['fc1w', 'fc1b', 'fc2w', 'fc2b'];

/** One tensor of one layer in some flat layout. */
export interface LayerSlice {
  readonly name: string;
  readonly layer: number | null;
  readonly offset: number;
  readonly size: number;
}

export interface ExpertSpan {
  /** 'layer0.expert3': the weight-norm name of the expert. */
  readonly label: string;
  readonly offset: number;
  readonly size: number;
}

export const expertLabel = (layer: number, expert: number): string => `layer${layer}.expert${expert}`;

export function expertSpans(slices: readonly LayerSlice[], layers: number, experts: number): ExpertSpan[] {
  const spans: ExpertSpan[] = [];
  for (let l = 0; l < layers; l++) {
    for (let e = 0; e < experts; e++) {
      for (const name of EXPERT_TENSORS) {
        const s = slices.find((x) => x.name === name && x.layer === l);
        if (!s) throw new Error(`expertSpans: no ${name} slice for layer ${l}.`);
        const size = s.size / experts;
        spans.push({ label: expertLabel(l, e), offset: s.offset + e * size, size });
      }
    }
  }
  return spans;
}

/** Each expert's L2 norm from its spans' norms (span order), unrounded. */
export function combineExpertNorms(spans: readonly ExpertSpan[], spanNorms: ArrayLike<number>): Record<string, number> {
  const sums: Record<string, number> = {};
  spans.forEach((s, i) => (sums[s.label] = (sums[s.label] ?? 0) + spanNorms[i] * spanNorms[i]));
  for (const label of Object.keys(sums)) sums[label] = Math.sqrt(sums[label]);
  return sums;
}

/** Each expert's L2 norm (f32) from its spans' norms, in span order: the same arithmetic on
 * either backend. */
export function expertNorms(spans: readonly ExpertSpan[], spanNorms: ArrayLike<number>): Record<string, number> {
  const out = combineExpertNorms(spans, spanNorms);
  for (const label of Object.keys(out)) out[label] = Math.fround(out[label]);
  return out;
}
