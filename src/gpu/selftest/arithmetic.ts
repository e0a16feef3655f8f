/**
 * Self-tests of the WGSL PRNG twin, and a measurement of the device's own f32 arithmetic:
 * WGSL allows f32 operations to flush subnormals and to round other than to nearest, so the lab
 * measures what this GPU does instead of assuming it (DESIGN.md §2).
 */
import { f32Bits, random32, uniform01 } from '../../numerics';
import { randomProbeKernel, arithProbeKernel } from './probes';
import { runProbe, type SelfTestEnv } from './gpuRuns';
import { valueOf } from './values';

type Outcome = { pass: boolean; detail: string; data?: Record<string, unknown> };

/** (e1) WGSL random32 and uniform01 equal numerics on `count` (key, counter) pairs. */
export async function testRandom32(env: SelfTestEnv, count = 1 << 16): Promise<Outcome> {
  const edges = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
  const n = count + edges.length * edges.length;
  const keys = new Uint32Array(n);
  const indices = new Uint32Array(n);
  let i = 0;
  for (const k of edges) {
    for (const c of edges) {
      keys[i] = k;
      indices[i++] = c;
    }
  }
  for (let j = 0; i < n; i++, j++) {
    keys[i] = random32(0xc0ffee, 2 * j);
    indices[i] = j % 3 === 0 ? j : random32(0xc0ffee, 2 * j + 1);
  }
  const out = await runProbe(env, randomProbeKernel, {}, { keys, indices }, 2 * n, { n }, [n]);
  let wordMismatches = 0;
  let uniformMismatches = 0;
  const examples: string[] = [];
  for (let t = 0; t < n; t++) {
    const want = random32(keys[t], indices[t]);
    const wantU = f32Bits(uniform01(keys[t], indices[t]));
    if (out[2 * t] !== want) {
      wordMismatches++;
      if (examples.length < 5)
        examples.push(`random32(${keys[t]}, ${indices[t]}): gpu ${out[2 * t]}, ts ${want}`);
    }
    if (out[2 * t + 1] !== wantU) uniformMismatches++;
  }
  return {
    pass: wordMismatches === 0 && uniformMismatches === 0,
    detail: `${n} (key, counter) pairs: random32 differs in ${wordMismatches}, uniform01 in ${uniformMismatches}${examples.length ? `; ${examples.join('; ')}` : ''}`,
  };
}

const pow2Bits = (k: number) => ((k + 127) << 23) >>> 0; // normal powers of two only

/** The f32 next to r toward zero when r is above |exact| in magnitude: what truncation gives. */
function truncated(exact: number): number {
  const r = f32Bits(Math.fround(exact));
  return Math.abs(Math.fround(exact)) > Math.abs(exact) ? r - 1 : r;
}

/** (f) Informational: does this device flush f32 subnormals, and does f32 * and + round to nearest? */
export async function probeF32Arithmetic(env: SelfTestEnv, count = 1 << 16): Promise<Outcome> {
  // Subnormal probes (a, b): out = (a * b, a + b).
  const subA = [pow2Bits(-126), 0x00400000, 0x00400000, 0x00c00000];
  const subB = [0x3f000000, 0x40000000, 0x00400000, 0x80800000];
  const a = new Uint32Array(subA.length + count);
  const b = new Uint32Array(subA.length + count);
  a.set(subA);
  b.set(subB);
  for (let i = 0; i < count; i++) {
    const r0 = random32(0xa217, 3 * i);
    const r1 = random32(0xa217, 3 * i + 1);
    const r2 = random32(0xa217, 3 * i + 2);
    // Exponents within 2^±40 (no overflow, no subnormal results); b's exponent near a's half the
    // time so sums cancel and round at every position.
    const ea = 127 - 40 + (r2 % 81);
    const eb = r2 & 0x100 ? ea - ((r2 >>> 9) % 26) : 127 - 40 + ((r2 >>> 9) % 81);
    a[subA.length + i] = ((r0 & 0x80000000) | (ea << 23) | (r0 & 0x7fffff)) >>> 0;
    b[subA.length + i] = ((r1 & 0x80000000) | (eb << 23) | (r1 & 0x7fffff)) >>> 0;
  }
  const n = a.length;
  const out = await runProbe(env, arithProbeKernel, {}, { a, b }, 2 * n, { n }, [n]);

  const isZero = (bits: number) => (bits & 0x7fffffff) === 0;
  const flushesResults = isZero(out[0]) || isZero(out[2 * 3 + 1]);
  const flushesInputs = isZero(out[2 * 1]) || isZero(out[2 * 2 + 1]);
  const subnormalExact =
    out[0] === 0x00400000 &&
    out[2] === pow2Bits(-126) &&
    out[5] === pow2Bits(-126) &&
    out[7] === 0x00400000;

  let mulNearest = 0;
  let addNearest = 0;
  let mulTruncated = 0;
  let addTruncated = 0;
  const examples: string[] = [];
  for (let i = subA.length; i < n; i++) {
    const x = valueOf(a[i]);
    const y = valueOf(b[i]);
    // A product or sum of two f32 values rounded once to double and then to f32 equals the
    // correctly rounded f32 result (53 >= 2 * 24 + 2, Figueroa 1995), so this is the reference.
    const mul = f32Bits(Math.fround(x * y));
    const add = f32Bits(Math.fround(x + y));
    if (out[2 * i] === mul) mulNearest++;
    else if (out[2 * i] === truncated(x * y)) mulTruncated++;
    if (out[2 * i + 1] === add) addNearest++;
    else if (out[2 * i + 1] === truncated(x + y)) addTruncated++;
    if ((out[2 * i] !== mul || out[2 * i + 1] !== add) && examples.length < 3) {
      examples.push(
        `${x} * ${y}: gpu ${valueOf(out[2 * i])}, nearest ${valueOf(mul)}; + : gpu ${valueOf(out[2 * i + 1])}, nearest ${valueOf(add)}`,
      );
    }
  }
  const yesNo = (v: boolean) => (v ? 'yes' : 'no');
  const rounding = (what: string, nearest: number, trunc: number) =>
    nearest === count
      ? `f32 ${what} rounds to nearest even: yes (${nearest}/${count})`
      : `f32 ${what} rounds to nearest even: no (${nearest}/${count} nearest, ${trunc} truncated, ${count - nearest - trunc} other)`;
  return {
    pass: true,
    detail:
      [
        `flushes f32 subnormal results to zero: ${yesNo(flushesResults)}`,
        `treats f32 subnormal inputs as zero: ${yesNo(flushesInputs)}`,
        `2^-126 * 0.5 = ${valueOf(out[0])}${subnormalExact ? ' (all 4 subnormal probes exact)' : ''}`,
        rounding('multiply', mulNearest, mulTruncated),
        rounding('add', addNearest, addTruncated),
      ].join('; ') + (examples.length ? `; e.g. ${examples.join('; ')}` : ''),
    data: {
      flushesResults,
      flushesInputs,
      subnormalExact,
      count,
      mulNearest,
      addNearest,
      mulTruncated,
      addTruncated,
    },
  };
}
