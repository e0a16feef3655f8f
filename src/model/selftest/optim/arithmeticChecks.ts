/**
 * The optimizer kernels' f32 arithmetic against JavaScript: for f32 operands, Math.fround of the
 * double result is the correctly rounded f32 result (53 >= 2 * 24 + 2), so the 'exact' variant
 * must match it bit for bit on every pattern, subnormals, zeros' signs, inf and NaN included.
 * The 'native' variant (the device's own f32) is measured and reported, not required.
 */
import { f32Bits, f32FromBits, random32 } from '../../../numerics';
import { runKernel, compileKernel } from '../../../gpu';
import { floatProbeKernel, type Arithmetic } from '../../../gpu/kernels/optim';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { compareBits, hex, withScratch, type Outcome } from './harness';

const OPS = ['add', 'sub', 'mul', 'div', 'sqrt'] as const;

function expected(op: (typeof OPS)[number], a: number, b: number): number {
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  const r = [x + y, x - y, x * y, x / y, Math.sqrt(x)][OPS.indexOf(op)];
  return f32Bits(Math.fround(r));
}

// prettier-ignore
const SPECIALS = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x00000001, 0x80000001, 0x00000003,
  0x007fffff, 0x00800000, 0x00800001, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f800001,
  0x3f7fffff, 0x40000000, 0x34000000, 0x33800000, 0x0c000000, 0x72000000,
];

/** Operand pairs: specials x specials, then random patterns of several kinds. */
function operands(seed: number, count: number): { a: Uint32Array; b: Uint32Array } {
  const pairs: [number, number][] = [];
  for (const x of SPECIALS) for (const y of SPECIALS) pairs.push([x, y]);
  for (let i = 0; pairs.length < count; i++) {
    const r0 = random32(seed, 3 * i);
    const r1 = random32(seed, 3 * i + 1);
    const r2 = random32(seed, 3 * i + 2);
    const kind = i % 5;
    let a = r0;
    let b = r1;
    if (kind === 1) {
      // exponents within 2^±30 of each other around 1: sums cancel, products stay normal
      a = ((r0 & 0x807fffff) | ((112 + (r2 % 31)) << 23)) >>> 0;
      b = ((r1 & 0x807fffff) | ((112 + ((r2 >>> 8) % 31)) << 23)) >>> 0;
    } else if (kind === 2) {
      // b = -a moved by a few ulps: cancellation down to the last bits
      a = (r0 & 0x7f7fffff) >>> 0;
      b = ((a + (r2 % 9) - 4) | 0x80000000) >>> 0;
    } else if (kind === 3) {
      // subnormal and tiny operands: gradual underflow of every result
      a = ((r0 & 0x80000000) | ((r0 & 0x00ffffff) % 0x01800000)) >>> 0;
      b = ((r1 & 0x807fffff) | ((100 + (r2 % 60)) << 23)) >>> 0;
    } else if (kind === 4) {
      // near the top of the range: overflow to inf
      a = ((r0 & 0x807fffff) | ((230 + (r2 % 25)) << 23)) >>> 0;
      b = ((r1 & 0x807fffff) | ((100 + ((r2 >>> 8) % 60)) << 23)) >>> 0;
    }
    pairs.push([a, b]);
  }
  return { a: Uint32Array.from(pairs, (p) => p[0]), b: Uint32Array.from(pairs, (p) => p[1]) };
}

/** The probe run: out[5i + k] for the five operations. */
export async function checkArithmetic(
  env: SelfTestEnv,
  arithmetic: Arithmetic,
  seed: number,
  count = 20000,
): Promise<Outcome> {
  const { a, b } = operands(seed, count);
  const n = a.length;
  const kernel = await compileKernel(env.ctx, env.cache, floatProbeKernel(arithmetic));
  return withScratch(env, async (s) => {
    const ab = s.buffer(a, 'probe a');
    const bb = s.buffer(b, 'probe b');
    const out = s.buffer(new Uint32Array(5 * n), 'probe out');
    s.poison(out);
    const ms = await s.submit('optim float probe', (enc) =>
      runKernel(enc, kernel, { buffers: { a: ab, b: bb, out }, uniforms: { n }, work: [n] }),
    );
    const got = await s.words(out);
    const parts: string[] = [];
    let total = 0;
    OPS.forEach((op, k) => {
      const g = Uint32Array.from({ length: n }, (_, i) => got[5 * i + k]);
      const w = Uint32Array.from({ length: n }, (_, i) => expected(op, a[i], b[i]));
      const r = compareBits(op, 'fp32', g, w);
      total += r.mismatches;
      parts.push(`${op} ${r.mismatches}${r.examples.length ? ` (e.g. ${r.examples[0]})` : ''}`);
    });
    const verdict =
      arithmetic === 'exact'
        ? total === 0
          ? 'all equal to Math.fround of the double result'
          : 'MISMATCHES'
        : `this device's own f32 differs from correct rounding in ${total} results (informational)`;
    return {
      pass: arithmetic === 'native' || total === 0,
      detail: `seed ${hex(seed)}, ${n} operand pairs (specials, cancellation, subnormals, overflow), ${arithmetic} arithmetic on the GPU (${ms.toFixed(1)} ms): mismatches ${parts.join(', ')}; ${verdict}`,
      data: { mismatches: total },
    };
  });
}
