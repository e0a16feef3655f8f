// The counting store against numerics' classify (the reference for the event table of
// DESIGN.md §2), and the gradient histogram against a Math.log2 binning.
import { describe, expect, it } from 'vitest';
import { classify, COUNTED_EVENTS, isCountedEvent, random32, range, roundTo } from '../../numerics';
import { F32, storagePolicy } from '../../model/reference';
import { EventCounter, storeEvent } from './eventCounter';
import { countZeros, gradHistogram } from './gradStats';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Random f32 values over every exponent, and the edges of the 16-bit ranges. */
function samples(key: number, n: number): number[] {
  const out: number[] = [0, -0, Infinity, -Infinity, NaN, 65504, 65520, -65520, 2 ** -24, 2 ** -25, 2 ** -14, 3e38, 1e-45];
  for (let i = 0; i < n; i++) {
    u32[0] = random32(key, i);
    out.push(f32[0]);
    // Around the fp16 range as well: |x| from 2^-30 to 2^20.
    out.push((random32(key + 1, i) / 2 ** 32 - 0.5) * 2 ** ((random32(key + 2, i) % 50) - 30));
  }
  return out.map(Math.fround);
}

describe('counting store', () => {
  for (const format of ['fp16', 'bf16', 'fp32'] as const) {
    it(`${format}: storeEvent(x, round(x)) is classify(x) on every counted event`, () => {
      const minNormal = range(format).minNormal;
      const xs = samples(format.length * 7, 50_000);
      const wrong = xs.filter((x) => {
        const c = classify(format, x);
        return storeEvent(x, roundTo(format, x), minNormal) !== (isCountedEvent(c) ? c : null);
      });
      expect(wrong).toEqual([]);
      // The samples reach every event (f32 values stored as f32 cannot overflow or underflow).
      const seen = new Set(xs.map((x) => storeEvent(x, roundTo(format, x), minNormal)));
      expect(seen.size).toBe(format === 'fp32' ? 3 : 5);
    });
  }

  it('counts per group and site only while active, and remembers the first inf/NaN', () => {
    const counter = new EventCounter(3);
    const grads = counter.hook(storagePolicy('fp16'), 'weight_grads', 1);
    const acts = counter.hook(storagePolicy('fp16'), 'activations', 2);
    expect(grads.store(1e-9)).toBe(0); // inactive: rounded, not counted
    counter.active = true;
    expect(grads.store(1e-9)).toBe(0);
    grads.store(1e-6); // subnormal in fp16
    grads.store(0.5);
    acts.store(1e5); // overflow
    acts.store(NaN); // nonfinite
    grads.store(Infinity);
    const t = counter.table();
    expect(t.underflow.weight_grads).toEqual([0, 1, 0]);
    expect(t.subnormal.weight_grads).toEqual([0, 1, 0]);
    expect(t.overflow.activations).toEqual([0, 0, 1]);
    expect(t.nonfinite.activations).toEqual([0, 0, 1]);
    expect(t.nonfinite.weight_grads).toEqual([0, 1, 0]);
    expect(counter.first).toEqual({ group: 'activations', site: 2, event: 'overflow' });
    const total = COUNTED_EVENTS.reduce((s, e) => s + Object.values(t[e]).flat().reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(5);
    counter.reset();
    expect(counter.first).toBeNull();
    expect(counter.table().underflow.weight_grads).toEqual([0, 0, 0]);
    // F32 storage counts f32 events (subnormal results), and the policy keeps its rounding.
    const f = new EventCounter(1).hook(F32, 'router', 0);
    expect(f.round).toBe(F32.round);
    expect(f.store(1 + 2 ** -30)).toBe(1);
  });
});

describe('gradient statistics', () => {
  it('bins |g| by binade as floor(log2|g|), with zeros, nonfinite and out-of-range counted apart', () => {
    const values = samples(99, 20_000);
    const g = Float32Array.from(values);
    const h = gradHistogram(g);
    const counts = new Array<number>(h.counts.length).fill(0);
    let below = 0;
    let above = 0;
    let zeros = 0;
    let nonfinite = 0;
    for (const v of g) {
      if (v === 0) zeros++;
      else if (!Number.isFinite(v)) nonfinite++;
      else {
        let e = Math.floor(Math.log2(Math.abs(v)));
        // Math.log2 may round up just below a power of two: correct it with exact comparisons.
        if (2 ** e > Math.abs(v)) e--;
        if (2 ** (e + 1) <= Math.abs(v)) e++;
        if (e < h.minExponent) below++;
        else if (e >= h.minExponent + h.counts.length) above++;
        else counts[e - h.minExponent]++;
      }
    }
    expect(h).toEqual({ minExponent: h.minExponent, counts, below, above, zeros, nonfinite });
    expect(countZeros(g)).toBe(zeros);
    expect(h.counts.reduce((a, b) => a + b, 0) + below + above + zeros + nonfinite).toBe(g.length);
    // Exactly a power of two starts its bin; the f32 just below it ends the previous one.
    const edge = gradHistogram(Float32Array.from([2 ** -24, Math.fround(2 ** -24 * (1 - 2 ** -24))]));
    expect(edge.counts[-24 - edge.minExponent]).toBe(1);
    expect(edge.counts[-25 - edge.minExponent]).toBe(1);
  });
});
