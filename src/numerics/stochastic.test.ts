import { describe, expect, it } from 'vitest';
import { stochasticRound } from './stochastic';
import { decode, encode } from './encode';
import type { FormatName } from './formats';
import { random32 } from './prng';

interface Grid { m: number; emin: number; max: number; overflow: number }
const GRIDS: Record<'fp16' | 'bf16' | 'fp8-e4m3' | 'fp8-e5m2', Grid> = {
  fp16: { m: 10, emin: -14, max: 65504, overflow: Infinity },
  bf16: { m: 7, emin: -126, max: 3.3895313892515355e38, overflow: Infinity },
  'fp8-e4m3': { m: 3, emin: -6, max: 448, overflow: NaN },
  'fp8-e5m2': { m: 2, emin: -14, max: 57344, overflow: Infinity },
};

/** The two grid neighbours of a finite x, by float arithmetic (below/above in magnitude). */
function neighbours(grid: Grid, x: number): [number, number] {
  const a = Math.abs(x);
  const s = x < 0 || Object.is(x, -0) ? -1 : 1;
  if (a === 0) return [s * 0, s * 0];
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  if (e < grid.emin) e = grid.emin;
  const quantum = 2 ** (e - grid.m);
  const fix = (v: number) => s * (v > grid.max ? grid.overflow : v);
  return [fix(Math.floor(a / quantum) * quantum), fix(Math.ceil(a / quantum) * quantum)];
}

function randomF32(key: number, n: number): Float32Array {
  const u32 = new Uint32Array(n);
  for (let i = 0; i < n; i++) u32[i] = random32(key, i);
  return new Float32Array(u32.buffer);
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('stochasticRound', () => {
  it.each(Object.keys(GRIDS) as (keyof typeof GRIDS)[])('%s: always one of the two neighbours (200k random f32)', (name) => {
    const xs = randomF32(100 + name.length, 200_000);
    const grid = GRIDS[name];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const r = random32(99, i);
      const value = decode(name, stochasticRound(name, x, r));
      if (!Number.isFinite(x)) {
        if (stochasticRound(name, x, r) !== encode(name, x)) expect.fail(`${x} should be handled as encode`);
        continue;
      }
      const [lo, hi] = neighbours(grid, x);
      if (!same(value, lo) && !same(value, hi)) expect.fail(`${x} -> ${value}, not ${lo} or ${hi}`);
      if (lo === hi && !same(value, lo)) expect.fail(`${x} is exact but became ${value}`);
    }
  });

  it('bf16 equals the f32 bit trick (bits + top 16 random bits) >> 16 on 300k finite values', () => {
    const u32 = new Uint32Array(300_000);
    for (let i = 0; i < u32.length; i++) u32[i] = random32(300, i);
    const f32 = new Float32Array(u32.buffer);
    for (let i = 0; i < u32.length; i++) {
      if (!Number.isFinite(f32[i])) continue;
      const r = random32(301, i);
      const expected = (u32[i] + (r >>> 16)) >>> 16;
      if (stochasticRound('bf16', f32[i], r) !== expected) expect.fail(`0x${u32[i].toString(16)} r=${r}`);
    }
  });

  it('keeps exact values exact for any random word', () => {
    for (const name of Object.keys(GRIDS) as FormatName[]) {
      for (let bits = 0; bits < 256; bits++) {
        const v = decode(name, bits * (name.startsWith('fp8') ? 1 : 97));
        if (!Number.isFinite(v)) continue;
        for (const r of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff])
          expect(decode(name, stochasticRound(name, v, r))).toBe(v);
      }
    }
  });

  it('random word 0 truncates, 0xFFFFFFFF rounds up whenever bits are discarded', () => {
    const x = Math.fround(1 + 2 ** -20); // fp16: one discarded f32 bit pattern below the cut
    expect(decode('fp16', stochasticRound('fp16', x, 0))).toBe(1);
    expect(decode('fp16', stochasticRound('fp16', x, 0xffffffff))).toBe(1 + 2 ** -10);
    expect(decode('fp16', stochasticRound('fp16', -x, 0xffffffff))).toBe(-(1 + 2 ** -10));
    expect(decode('bf16', stochasticRound('bf16', 2 ** -149, 0xffffffff))).toBe(2 ** -133);
    expect(decode('bf16', stochasticRound('bf16', 2 ** -149, 0xfffeffff))).toBe(0);
  });

  it('rounds up exactly when (r >> (32 - shift)) + rest >= 2^shift', () => {
    // fp16 at 1: shift 13. 1 + 2^-11 discards rest = 2^12, half of 2^13: up iff r >= 2^31.
    const half = Math.fround(1 + 2 ** -11);
    expect(decode('fp16', stochasticRound('fp16', half, 0x80000000))).toBe(1 + 2 ** -10);
    expect(decode('fp16', stochasticRound('fp16', half, 0x7fffffff))).toBe(1);
    // fp16 at 2^-40: shift 39, rest 2^23, fraction cut to 32 bits = 2^16: up iff r >= 2^32 - 2^16.
    expect(decode('fp16', stochasticRound('fp16', 2 ** -40, 0xffff0000))).toBe(2 ** -24);
    expect(decode('fp16', stochasticRound('fp16', 2 ** -40, 0xfffeffff))).toBe(0);
  });

  it.each([
    // format, x, why
    ['bf16', 1 + 0.3 * 2 ** -7, 'between 1 and 1 + 2^-7'],
    ['bf16', -(3 + 0.9 * 2 ** -6), 'negative'],
    ['fp16', 1000.1, 'fp16 normal'],
    ['fp16', 3.3e-8, 'below the smallest fp16 subnormal (2^-24): rounds to 0 or 2^-24'],
    ['fp16', 1.75 * 2 ** -34, 'below the subnormals, shift 33 > 32: probability 1.75 * 2^-10'],
    ['fp8-e4m3', 0.0123, 'e4m3 subnormal range'],
    ['fp8-e5m2', 100, 'e5m2'],
  ] as const)('%s: the mean of 200k roundings of %s equals x (%s)', (name, input, _why) => {
    const x = Math.fround(input);
    const [lo, hi] = neighbours(GRIDS[name], x);
    const n = 200_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += decode(name, stochasticRound(name, x, random32(555, i)));
    const p = (x - lo) / (hi - lo);
    // Bernoulli(p) scaled by the gap: sd of the mean = |hi - lo| sqrt(p (1 - p) / n); allow 5 sd
    // plus the 2^-32 truncation of the probability.
    const tolerance = Math.abs(hi - lo) * (5 * Math.sqrt((p * (1 - p)) / n) + 2 ** -32);
    expect(Math.abs(sum / n - x)).toBeLessThanOrEqual(tolerance);
  });

  it('above the largest finite value the upper neighbour is inf (NaN for E4M3)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(decode('fp16', stochasticRound('fp16', 65510, random32(1, i))));
    expect([...seen].sort()).toEqual([65504, Infinity]);
    expect(stochasticRound('fp8-e4m3', 460, 0xffffffff)).toBe(0x7f);
    expect(stochasticRound('fp16', 1e6, 0)).toBe(0x7c00);
    expect(stochasticRound('bf16', NaN, 0)).toBe(0x7fc0);
    expect(stochasticRound('fp16', -0, 0xffffffff)).toBe(0x8000);
  });
});
