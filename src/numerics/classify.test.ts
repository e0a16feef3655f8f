// classify on the edges of every format, and on random samples against rules written here with
// the thresholds as literals (IEEE formats: overflow at |x| >= midpoint, E4M3: > midpoint).
import { describe, expect, it } from 'vitest';
import { classify, COUNTED_EVENTS, isCountedEvent, type CastEvent } from './classify';
import type { FormatName } from './formats';
import { random32 } from './prng';

type Edge = [x: number, event: CastEvent];
const EDGES: Record<FormatName, Edge[]> = {
  fp16: [
    [NaN, 'nonfinite'], [Infinity, 'nonfinite'], [-Infinity, 'nonfinite'],
    [65504, 'exact'], [65519.996, 'inexact'], [65520, 'overflow'], [-70000, 'overflow'], [1e300, 'overflow'],
    [2 ** -25, 'underflow'], [-(2 ** -25), 'underflow'], [1e-30, 'underflow'], [5e-324, 'underflow'],
    [2 ** -24, 'subnormal'], [3 * 2 ** -25, 'subnormal'], [2 ** -14 - 2 ** -24, 'subnormal'],
    [2 ** -14 - 2 ** -25, 'inexact'], [2 ** -14, 'exact'],
    [0, 'exact'], [-0, 'exact'], [1, 'exact'], [0.1, 'inexact'], [1 + 2 ** -11, 'inexact'],
  ],
  bf16: [
    [NaN, 'nonfinite'], [3.3895313892515355e38, 'exact'], [2 ** 128 - 2 ** 119, 'overflow'],
    [3.4028234663852886e38, 'overflow'], [2 ** -134, 'underflow'], [2 ** -133, 'subnormal'],
    [2 ** -126, 'exact'], [1 / 3, 'inexact'], [65504, 'inexact'], [1.5, 'exact'],
  ],
  'fp8-e4m3': [
    [-Infinity, 'nonfinite'], [448, 'exact'], [464, 'inexact'], [464.0001, 'overflow'], [480, 'overflow'],
    [2 ** -10, 'underflow'], [2 ** -9, 'subnormal'], [7 * 2 ** -9, 'subnormal'], [2 ** -6, 'exact'],
    [0.3, 'inexact'], [0, 'exact'],
  ],
  'fp8-e5m2': [
    [NaN, 'nonfinite'], [57344, 'exact'], [61440, 'overflow'], [60000, 'inexact'],
    [2 ** -17, 'underflow'], [2 ** -16, 'subnormal'], [2 ** -14, 'exact'], [1.25, 'exact'], [1.125, 'inexact'],
  ],
  fp32: [
    [NaN, 'nonfinite'], [3.4028234663852886e38, 'exact'], [3.5e38, 'overflow'], [1e-46, 'underflow'],
    [2 ** -149, 'subnormal'], [2 ** -126, 'exact'], [0.1, 'inexact'], [1.5, 'exact'],
  ],
};

describe.each(Object.entries(EDGES))('%s edges', (name, edges) => {
  it.each(edges)('%s -> %s', (x, event) => {
    expect(classify(name as FormatName, x)).toBe(event);
  });
});

interface Rule {
  overflowAt: number; // the midpoint above the largest finite value
  overflowIncludesMidpoint: boolean;
  underflowAt: number; // half the smallest subnormal; |x| <= it rounds to 0
  normalFrom: number; // |x| >= this rounds to a normal: midpoint below the smallest normal
  m: number;
  emin: number;
}
const RULES: Partial<Record<FormatName, Rule>> = {
  fp16: { overflowAt: 65520, overflowIncludesMidpoint: true, underflowAt: 2 ** -25, normalFrom: 2 ** -14 - 2 ** -25, m: 10, emin: -14 },
  bf16: { overflowAt: 2 ** 128 - 2 ** 119, overflowIncludesMidpoint: true, underflowAt: 2 ** -134, normalFrom: 2 ** -126 - 2 ** -134, m: 7, emin: -126 },
  'fp8-e4m3': { overflowAt: 464, overflowIncludesMidpoint: false, underflowAt: 2 ** -10, normalFrom: 2 ** -6 - 2 ** -10, m: 3, emin: -6 },
  'fp8-e5m2': { overflowAt: 61440, overflowIncludesMidpoint: true, underflowAt: 2 ** -17, normalFrom: 2 ** -14 - 2 ** -17, m: 2, emin: -14 },
};

/** Representable in the format's grid (ignoring range): a multiple of its quantum at |x|. */
function onGrid(rule: Rule, a: number): boolean {
  const e = Math.max(Math.floor(Math.log2(a)), rule.emin);
  const quantum = 2 ** (e - rule.m);
  return Number.isInteger(a / quantum) && a / quantum < 2 ** (rule.m + 1);
}

function ruleEvent(rule: Rule, x: number): CastEvent {
  if (!Number.isFinite(x)) return 'nonfinite';
  const a = Math.abs(x);
  if (a > rule.overflowAt || (a === rule.overflowAt && rule.overflowIncludesMidpoint)) return 'overflow';
  if (a === 0) return 'exact';
  if (a <= rule.underflowAt) return 'underflow';
  if (a < rule.normalFrom) return 'subnormal';
  return onGrid(rule, a) ? 'exact' : 'inexact';
}

/** x cut to its top `bits` significant bits: exact in the format where it is in the normal range. */
function keepTopBits(x: number, bits: number): number {
  const scale = 2 ** (bits - 1 - Math.floor(Math.log2(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

describe('classify on random samples', () => {
  it.each(Object.entries(RULES))('%s: 200k values agree with the threshold rule', (name, rule) => {
    // log2|x| uniform over the format's range and beyond, with some exact grid values mixed in.
    const low = rule!.emin - rule!.m - 4;
    const high = Math.log2(rule!.overflowAt) + 3;
    const counts = new Map<CastEvent, number>();
    const expectedCounts = new Map<CastEvent, number>();
    for (let i = 0; i < 200_000; i++) {
      const r = random32(7, i);
      const u = random32(8, i) / 2 ** 32;
      let x = 2 ** (low + u * (high - low)) * (r & 1 ? -1 : 1);
      if (r % 7 === 0) x = keepTopBits(x, rule!.m + 1);
      if (r % 1001 === 0) x = [NaN, Infinity, -Infinity, 0, -0][r % 5];
      const event = classify(name as FormatName, x);
      const expected = ruleEvent(rule!, x);
      if (event !== expected) expect.fail(`${x}: ${event} != ${expected}`);
      counts.set(event, (counts.get(event) ?? 0) + 1);
      expectedCounts.set(expected, (expectedCounts.get(expected) ?? 0) + 1);
    }
    expect(counts).toEqual(expectedCounts);
    for (const event of ['nonfinite', 'overflow', 'underflow', 'subnormal', 'inexact', 'exact'] as const)
      expect(counts.get(event) ?? 0, event).toBeGreaterThan(50);
  });
});

describe('counted events', () => {
  it('are the four DESIGN.md counts', () => {
    expect([...COUNTED_EVENTS].sort()).toEqual(['nonfinite', 'overflow', 'subnormal', 'underflow']);
    expect(isCountedEvent('inexact')).toBe(false);
    expect(isCountedEvent('overflow')).toBe(true);
  });
});
