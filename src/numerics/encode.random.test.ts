// encode against references written here by other methods, on random inputs over the whole range:
// - fp16 (and the fp8 formats): float arithmetic, scale by a power of two, pick the nearer of the
//   two neighbours, ties to the even multiple; Math.f16round as well when the runtime has it;
// - bf16: the classic f32 bit trick (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
// - fp32: Math.fround.
import { describe, expect, it } from 'vitest';
import { encode, roundTo } from './encode';
import type { FormatName } from './formats';
import { random32 } from './prng';

interface Grid {
  m: number; // mantissa bits
  emin: number; // exponent of the smallest normal
  max: number; // largest finite value
  overflow: number; // what a larger magnitude becomes: Infinity or NaN (E4M3)
}
const GRIDS: Partial<Record<FormatName, Grid>> = {
  fp16: { m: 10, emin: -14, max: 65504, overflow: Infinity },
  'fp8-e4m3': { m: 3, emin: -6, max: 448, overflow: NaN },
  'fp8-e5m2': { m: 2, emin: -14, max: 57344, overflow: Infinity },
};

function referenceRound(grid: Grid, x: number): number {
  if (Number.isNaN(x)) return NaN;
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let result: number;
  if (a === Infinity) result = grid.overflow;
  else if (a === 0) result = 0;
  else {
    let e = Math.floor(Math.log2(a));
    while (2 ** e > a) e--;
    while (2 ** (e + 1) <= a) e++;
    if (e < grid.emin) e = grid.emin;
    const quantum = 2 ** (e - grid.m);
    const t = a / quantum; // exact: division by a power of two, no underflow at these quanta
    const below = Math.floor(t);
    const fraction = t - below;
    const n = fraction > 0.5 || (fraction === 0.5 && below % 2 === 1) ? below + 1 : below;
    result = n * quantum;
    if (result > grid.max) result = grid.overflow;
  }
  return negative ? -result : result;
}

function bf16Reference(f32: Float32Array, u32: Uint32Array, i: number): number {
  const bits = u32[i];
  if (Number.isNaN(f32[i])) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** N random f32 patterns: every sign, every 8-bit exponent (0 and 255 included), any mantissa. */
function randomF32(key: number, n: number): { f32: Float32Array; u32: Uint32Array } {
  const u32 = new Uint32Array(n);
  for (let i = 0; i < n; i++) u32[i] = random32(key, i);
  return { f32: new Float32Array(u32.buffer), u32 };
}

/** N random doubles: half with any 11-bit exponent, half with exponents around the fp16 range. */
function randomDoubles(key: number, n: number): Float64Array {
  const words = new Uint32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) words[i] = random32(key, i);
  for (let i = 1; i < 2 * n; i += 4) {
    // words[i] is the high word of double i/2 (little-endian): put its exponent in [-40, 20].
    const exponent = 1023 - 40 + (words[i] % 61);
    words[i] = (words[i] & 0x800fffff) | (exponent << 20);
  }
  return new Float64Array(words.buffer);
}

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;

describe('fp16 on random inputs', () => {
  it('1M random f32 values round as the float-arithmetic reference', () => {
    const { f32 } = randomF32(16, 1_000_000);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < f32.length; i++) {
      const x = f32[i];
      const actual = roundTo('fp16', x);
      const expected = referenceRound(GRIDS.fp16!, x);
      if (!same(actual, expected) || (f16round && !same(actual, f16round(x)))) {
        if (!mismatches++) first = `${x}: ${actual} != ${expected}`;
      }
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('200k random doubles round as the reference', () => {
    const doubles = randomDoubles(17, 200_000);
    for (const x of doubles) {
      const actual = roundTo('fp16', x);
      if (!same(actual, referenceRound(GRIDS.fp16!, x))) expect.fail(`${x}: ${actual}`);
      if (f16round && !same(actual, f16round(x))) expect.fail(`${x}: f16round ${f16round(x)}`);
    }
  });

  it('every midpoint between neighbours, and the doubles beside it, round as the reference', () => {
    const view = new DataView(new ArrayBuffer(8));
    const step = (x: number, by: bigint) => {
      view.setFloat64(0, x);
      view.setBigUint64(0, view.getBigUint64(0) + by);
      return view.getFloat64(0);
    };
    for (let bits = 0; bits < 0x7c00; bits++) {
      const a = fp16GridValue(bits);
      const b = bits + 1 === 0x7c00 ? 65536 : fp16GridValue(bits + 1);
      const mid = (a + b) / 2;
      for (const x of [mid, step(mid, 1n), step(mid, -1n), -mid]) {
        const actual = roundTo('fp16', x);
        if (!same(actual, referenceRound(GRIDS.fp16!, x))) expect.fail(`${x}: ${actual}`);
      }
    }
  });
});

/** Positive fp16 pattern -> value: bits = exponentField * 1024 + mantissa. */
function fp16GridValue(bits: number): number {
  const exponentField = Math.floor(bits / 1024);
  const mantissa = bits % 1024;
  return exponentField === 0 ? mantissa * 2 ** -24 : (1024 + mantissa) * 2 ** (exponentField - 25);
}

describe('bf16 on random inputs', () => {
  it('1M random f32 values encode as the f32 bit trick', () => {
    const { f32, u32 } = randomF32(32, 1_000_000);
    for (let i = 0; i < f32.length; i++) {
      const actual = encode('bf16', f32[i]);
      const expected = bf16Reference(f32, u32, i);
      if (actual !== expected) expect.fail(`0x${u32[i].toString(16)}: 0x${actual.toString(16)} != 0x${expected.toString(16)}`);
    }
  });
});

describe('fp8 on random inputs', () => {
  it.each(['fp8-e4m3', 'fp8-e5m2'] as const)('%s: 200k random f32 and 100k doubles round as the reference', (name) => {
    const { f32 } = randomF32(name.length + 80, 200_000);
    for (const x of [...f32, ...randomDoubles(81, 100_000)]) {
      const actual = roundTo(name, x);
      if (!same(actual, referenceRound(GRIDS[name]!, x))) expect.fail(`${x}: ${actual}`);
    }
  });
});

describe('fp32 on random doubles', () => {
  it('300k random doubles round as Math.fround', () => {
    const doubles = randomDoubles(64, 300_000);
    for (let i = 0; i < doubles.length; i++) {
      // Spread the second half over the f32 range, including its subnormals.
      const x = i % 2 ? doubles[i] * 2 ** -110 : doubles[i];
      const actual = roundTo('fp32', x);
      if (!same(actual, Math.fround(x))) expect.fail(`${x}: ${actual} != ${Math.fround(x)}`);
    }
  });
});
