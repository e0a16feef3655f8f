// Per-expert spans and norms against an independent computation from the tensors' shapes:
// expert e of layer l owns fc1w[l][e] (F,C), fc1b[l][e] (F), fc2w[l][e] (C,F), fc2b[l][e] (C);
// its norm is the L2 norm of those values.
import { describe, expect, it } from 'vitest';
import { uniform01 } from '../numerics';
import { expertLabel, expertNorms, expertSpans } from './expertSpans';
import { parameterLayout, resolveConfig } from './reference';

describe('expert spans', () => {
  it('cover each expert exactly and combine into its norm', () => {
    const c = resolveConfig({ vocab: 11, d: 8, layers: 2, heads: 2, experts: 3, topK: 1, context: 4, batch: 2 });
    const layout = parameterLayout(c);
    const values = Float64Array.from({ length: layout.total }, (_, i) => uniform01(7, i) - 0.5);
    const slices = layout.entries.flatMap((e) =>
      Array.from({ length: e.layers }, (_, l) => ({ name: e.name, layer: e.layers > 1 ? l : null, offset: e.offset + (l * e.size) / e.layers, size: e.size / e.layers })),
    );
    const spans = expertSpans(slices, c.layers, c.experts);
    expect(spans).toHaveLength(c.layers * c.experts * 4);
    const spanNorms = spans.map((s) => Math.sqrt(values.subarray(s.offset, s.offset + s.size).reduce((a, x) => a + x * x, 0)));
    const norms = expertNorms(spans, spanNorms);
    const { hidden: F, d: C, experts: E } = c;
    for (let l = 0; l < c.layers; l++) {
      for (let e = 0; e < E; e++) {
        let sum = 0;
        const add = (name: 'fc1w' | 'fc1b' | 'fc2w' | 'fc2b', perExpert: number) => {
          const base = layout.byName[name].offset + l * E * perExpert + e * perExpert;
          for (let i = 0; i < perExpert; i++) sum += values[base + i] ** 2;
        };
        add('fc1w', F * C);
        add('fc1b', F);
        add('fc2w', C * F);
        add('fc2b', C);
        // Within an f32 rounding (the norms of the spans are combined, not the values).
        expect(Math.abs(norms[expertLabel(l, e)] - Math.sqrt(sum)) / Math.sqrt(sum)).toBeLessThan(2 ** -23);
      }
    }
    expect(Object.keys(norms)).toHaveLength(c.layers * E);
  });
});
