/**
 * Browser self-tests of the GPU conversions against the CPU truth (numerics) and the browser's
 * own Math.f16round. Each test returns plain JSON {name, pass, detail, ms}; a Diagnostics page and
 * e2e/gpu-conversion.spec.ts run them through runConversionSelfTests().
 *
 * NaN inputs: a JavaScript NaN does not reliably carry its sign, so the expected result of a NaN
 * pattern is taken from the pattern's own sign bit: sign | the format's quiet NaN.
 */
import {
  COUNTED_EVENTS,
  FORMATS,
  classify,
  decode,
  encode,
  f32Bits,
  isCountedEvent,
  random32,
  stochasticRound,
  type FormatName,
} from '../../numerics';
import { packBits } from '../packing';
import type { EventCounting } from '../kernels/counters';
import {
  castOnGpu,
  castValues,
  copyOnGpu,
  createSelfTestEnv,
  releaseSelfTestEnv,
  stochasticOnGpu,
  type SelfTestEnv,
  type SelfTestEnvOptions,
} from './gpuRuns';
import { stochasticProbeKernel } from './probes';
import { probeF32Arithmetic, testRandom32 } from './arithmetic';
import { NARROW_FORMATS, isNaNBits, valueOf } from './values';

export interface SelfTestResult {
  name: string;
  pass: boolean;
  /** What was compared and what was found, for a person. */
  detail: string;
  ms: number;
  /** Only for a check the device cannot run (a missing optional feature); pass is then true. */
  skipped?: boolean;
  /** Measurements for a diagnostics page. */
  data?: Record<string, unknown>;
}

type Outcome = Omit<SelfTestResult, 'name' | 'ms'>;

/** Runs a check, timing it; a thrown error is a failure with its message. */
export async function check(name: string, fn: () => Promise<Outcome>): Promise<SelfTestResult> {
  const t0 = performance.now();
  try {
    const outcome = await fn();
    return { name, ...outcome, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return {
      name,
      pass: false,
      detail: `threw: ${(err as Error).message}`,
      ms: Math.round(performance.now() - t0),
    };
  }
}

const hex = (v: number, digits = 8) => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;

/** Expected bits of casting the f32 pattern x to the format (numerics encode; NaN from x's sign). */
export function expectedEncode(format: FormatName, x: number): number {
  const f = FORMATS[format];
  if (isNaNBits(x)) return ((x >>> 31) * 2 ** (f.bits - 1) + f.canonicalNaN) >>> 0;
  return encode(f, valueOf(x));
}

/** Compares per-element results; reports the count and the first few mismatches. */
export function compareBits(
  inputs: Uint32Array,
  got: Uint32Array,
  expected: (x: number, i: number) => number,
  digits: number,
): { mismatches: number; examples: string[] } {
  let mismatches = 0;
  const examples: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const want = expected(inputs[i], i);
    if (got[i] !== want) {
      mismatches++;
      if (examples.length < 5) {
        examples.push(
          `x=${hex(inputs[i])} (${valueOf(inputs[i])}): gpu ${hex(got[i], digits)}, expected ${hex(want, digits)}`,
        );
      }
    }
  }
  return { mismatches, examples };
}

const digitsOf = (f: FormatName) => FORMATS[f].bits / 4;

/** (a) GPU f32 -> format equals numerics encode bit for bit, padding lanes zero. */
export async function testEncode(env: SelfTestEnv, format: FormatName): Promise<Outcome> {
  const run = await castValues(env, format, defaultCounting(env));
  const { mismatches, examples } = compareBits(
    env.values,
    run.bits,
    (x) => expectedEncode(format, x),
    digitsOf(format),
  );
  const packed = packBits(format, run.bits);
  const paddingOk = packed[packed.length - 1] === run.words[run.words.length - 1];
  const n = env.values.length;
  return {
    pass: mismatches === 0 && paddingOk,
    detail:
      `${n} f32 values cast to ${format} on the GPU (${run.ms.toFixed(0)} ms): ${mismatches} differ from numerics encode` +
      (examples.length ? `; ${examples.join('; ')}` : '') +
      (paddingOk
        ? ''
        : `; the unused lanes of the last word are not zero (${hex(run.words[run.words.length - 1])})`),
  };
}

/** (b) GPU fp16 equals the browser's Math.f16round. */
export async function testF16Round(env: SelfTestEnv): Promise<Outcome> {
  const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;
  if (typeof f16round !== 'function') {
    return {
      pass: false,
      detail:
        'This browser has no Math.f16round (Chrome 135+ has it), so the second reference is missing.',
    };
  }
  const run = await castValues(env, 'fp16', defaultCounting(env));
  let mismatches = 0;
  const examples: string[] = [];
  for (let i = 0; i < env.values.length; i++) {
    const x = valueOf(env.values[i]);
    const want = f16round(x);
    const got = decode('fp16', run.bits[i]);
    if (!Object.is(got, want)) {
      mismatches++;
      if (examples.length < 5)
        examples.push(`x=${hex(env.values[i])} (${x}): gpu ${got}, Math.f16round ${want}`);
    }
  }
  return {
    pass: mismatches === 0,
    detail: `${env.values.length} values: ${mismatches} GPU fp16 results differ from Math.f16round${examples.length ? `; ${examples.join('; ')}` : ''}`,
  };
}

/** (c) Every bit pattern decodes as numerics decode; F -> F re-encodes each pattern to itself. */
export async function testDecode(env: SelfTestEnv, format: FormatName): Promise<Outcome> {
  const f = FORMATS[format];
  const count = 2 ** f.bits;
  const patterns = new Uint32Array(count).map((_, i) => i);
  const words = packBits(format, patterns);
  const run = await castOnGpu(env, format, words, count, 'fp32', 'atomic');
  const signBit = 2 ** (f.bits - 1);
  let mismatches = 0;
  let nonfinite = 0;
  const examples: string[] = [];
  for (let p = 0; p < count; p++) {
    const v = decode(f, p);
    const got = run.bits[p];
    const sign = p >= signBit ? 1 : 0;
    let ok: boolean;
    if (Number.isNaN(v)) ok = isNaNBits(got) && got >>> 31 === sign;
    else ok = got === f32Bits(v);
    if (!Number.isFinite(v)) nonfinite++;
    if (!ok) {
      mismatches++;
      if (examples.length < 5)
        examples.push(
          `${hex(p, f.bits / 4)}: gpu ${hex(got)}, expected ${Number.isNaN(v) ? 'NaN' : hex(f32Bits(v))} (${v})`,
        );
    }
  }
  const gpuNonfinite = run.counts[1].nonfinite;
  const roundTrip = await castOnGpu(env, format, words, count, format, 'off');
  const rt = compareBits(
    patterns,
    roundTrip.bits,
    (p) => (Number.isNaN(decode(f, p)) ? (p & signBit) + f.canonicalNaN : p),
    f.bits / 4,
  );
  return {
    pass: mismatches === 0 && gpuNonfinite === nonfinite && rt.mismatches === 0,
    detail:
      `all ${count} ${format} patterns decoded on the GPU: ${mismatches} differ from numerics decode` +
      `${examples.length ? ` (${examples.join('; ')})` : ''}; nonfinite events ${gpuNonfinite} (expected ${nonfinite}); ` +
      `${format} -> ${format} on the GPU: ${rt.mismatches} patterns not reproduced${rt.examples.length ? ` (${rt.examples.join('; ')})` : ''}`,
  };
}

export function defaultCounting(env: SelfTestEnv): EventCounting {
  return env.ctx.features.has('subgroups') ? 'subgroup' : 'atomic';
}

/** CPU counts of numerics classify over env.values for one format. */
function cpuCounts(env: SelfTestEnv, format: FormatName): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(COUNTED_EVENTS.map((e) => [e, 0]));
  for (const x of env.values) {
    const event = classify(format, valueOf(x));
    if (isCountedEvent(event)) counts[event]++;
  }
  return counts;
}

/** (d) GPU event counters equal CPU counts, with the given counting variant. */
export async function testEventCounts(
  env: SelfTestEnv,
  format: FormatName,
  counting: EventCounting,
): Promise<Outcome> {
  if (counting === 'subgroup' && !env.ctx.features.has('subgroups')) {
    return {
      pass: true,
      skipped: true,
      detail:
        'skipped: this device has no "subgroups" feature (the atomic fallback is tested instead)',
    };
  }
  const run = await castValues(env, format, counting);
  const want = cpuCounts(env, format);
  const [before, got, after] = run.counts;
  const diffs = COUNTED_EVENTS.filter((e) => got[e] !== want[e]).map(
    (e) => `${e} gpu ${got[e]} cpu ${want[e]}`,
  );
  const strays = COUNTED_EVENTS.filter((e) => before[e] !== 0 || after[e] !== 0);
  const summary = COUNTED_EVENTS.map((e) => `${e} ${got[e]}`).join(', ');
  return {
    pass: diffs.length === 0 && strays.length === 0,
    detail:
      `${env.values.length} casts to ${format}, ${counting} counting: ${summary}` +
      (diffs.length
        ? `; differ from numerics classify: ${diffs.join('; ')}`
        : '; equal to numerics classify') +
      (strays.length ? `; counts leaked into other groups: ${strays.join(', ')}` : ''),
  };
}

/** (e2) GPU stochastic rounding equals numerics stochasticRound with random32(key, i). */
export async function testStochastic(
  env: SelfTestEnv,
  format: FormatName,
  count = 1 << 18,
): Promise<Outcome> {
  const values = env.values.subarray(0, Math.min(count, env.values.length));
  const key = 0x9e3779b9;
  const got = await stochasticOnGpu(env, stochasticProbeKernel, format, values, key);
  const f = FORMATS[format];
  const { mismatches, examples } = compareBits(
    values,
    got,
    (x, i) =>
      isNaNBits(x) ? expectedEncode(format, x) : stochasticRound(f, valueOf(x), random32(key, i)),
    digitsOf(format),
  );
  return {
    pass: mismatches === 0,
    detail: `${values.length} values stochastically rounded to ${format}: ${mismatches} differ from numerics stochasticRound${examples.length ? `; ${examples.join('; ')}` : ''}`,
  };
}

/** (copy) The plain f32 copy reproduces every word, NaN payloads and subnormals included. */
export async function testCopy(env: SelfTestEnv): Promise<Outcome> {
  const got = await copyOnGpu(env, env.values);
  const { mismatches, examples } = compareBits(env.values, got, (x) => x, 8);
  return {
    pass: mismatches === 0,
    detail: `${env.values.length} f32 words copied: ${mismatches} differ${examples.length ? `; ${examples.join('; ')}` : ''}`,
  };
}

/** Every conversion self-test, in order; never throws (a failure is a result). */
export async function runConversionSelfTests(
  options: SelfTestEnvOptions = {},
): Promise<SelfTestResult[]> {
  let env: SelfTestEnv;
  try {
    env = await createSelfTestEnv(options);
  } catch (err) {
    return [
      { name: 'acquire a WebGPU device', pass: false, detail: (err as Error).message, ms: 0 },
    ];
  }
  const results: SelfTestResult[] = [];
  const add = async (name: string, fn: () => Promise<Outcome>) => {
    results.push(await check(name, fn));
  };
  try {
    for (const f of NARROW_FORMATS)
      await add(`encode ${f} = numerics encode`, () => testEncode(env, f));
    await add('fp16 = Math.f16round', () => testF16Round(env));
    for (const f of NARROW_FORMATS)
      await add(`decode ${f} = numerics decode (all patterns)`, () => testDecode(env, f));
    for (const f of NARROW_FORMATS) {
      for (const counting of ['subgroup', 'atomic'] as const) {
        await add(`event counts ${f} (${counting}) = numerics classify`, () =>
          testEventCounts(env, f, counting),
        );
      }
    }
    await add('random32 / uniform01 = numerics', () => testRandom32(env));
    for (const f of NARROW_FORMATS)
      await add(`stochastic rounding ${f} = numerics`, () => testStochastic(env, f));
    await add('f32 copy is exact', () => testCopy(env));
    await add('device f32 arithmetic (informational)', () => probeF32Arithmetic(env));
  } finally {
    releaseSelfTestEnv(env);
  }
  return results;
}
