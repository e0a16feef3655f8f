/**
 * Machinery of the matmul self-tests: seeded storage-format inputs, GPU tensors with poisoned
 * outputs, one submit per check, read-back, comparison with the CPU reference, and CPU event
 * counts by numerics `classify` over the f32 values the reference stores.
 *
 * Tolerances (stated once, used by every check):
 *  - fp32 outputs: |gpu - ref| <= 1e-5 * S, S = sum over k of |a * b| (+ |bias|), the size of the
 *    terms summed (computed by the reference itself in f64 on |a|, |b|). The GPU adds in the
 *    reference's order, but WGSL may contract acc + a * b into an fma, which changes each step by
 *    at most half an f32 ulp of the product: K * 2^-24 * S, far below 1e-5 * S for these K.
 *  - fp16 / bf16 outputs: at most 1 ulp of the format: the f32 sums differ as above and the one
 *    rounding to 16 bits can then flip by one ulp at a tie.
 *  - dbias is a plain f32 sum in the reference's order (no products, nothing to contract), so it
 *    must be bit-exact.
 */
import {
  COUNTED_EVENTS,
  FORMATS,
  classify,
  decode,
  encode,
  f32FromBits,
  isCountedEvent,
  uniform01,
  type FormatName,
} from '../../../numerics';
import {
  EventCounters,
  createTensor,
  readTensorWords,
  unpackBits,
  writeTensor,
  writeWords,
  type EventCounts,
  type Tensor,
} from '../../../gpu';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { storagePolicy, type Buf } from '../../reference';
import type { Outcome } from '../suiteRun';

/** NaN in every lane of every format: an unwritten output can match no reference value. */
export const POISON_WORD = 0x7fc07fc0;
export const F32_TOLERANCE = 1e-5;
export const ULP_TOLERANCE = 1;

export type { Outcome };

/** n values uniform in [-scale, scale) from seed, rounded to the storage format (as uploaded). */
export function storedRandom(format: FormatName, n: number, seed: number, scale = 1): Float32Array {
  const p = storagePolicy(format);
  return Float32Array.from({ length: n }, (_, i) =>
    p.store(Math.fround((2 * uniform01(seed, i) - 1) * scale)),
  );
}

export const abs = (x: Buf): Float64Array => Float64Array.from(x, Math.abs);

export const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export interface GpuRun {
  env: SelfTestEnv;
  counters: EventCounters;
  tensors: Tensor[];
  buffers: GPUBuffer[];
}

/** Counter groups: g0..g2 for the outputs of one check; 'before' / 'after' catch strays. */
export const GROUPS = ['before', 'g0', 'g1', 'g2', 'after'] as const;

function startRun(env: SelfTestEnv): GpuRun {
  return {
    env,
    counters: new EventCounters(env.pool, [...GROUPS], 'matmul selftest counters'),
    tensors: [],
    buffers: [],
  };
}

export function input(run: GpuRun, format: FormatName, values: Buf, label: string): Tensor {
  const t = createTensor(run.env.pool, {
    shape: [values.length],
    storage: format,
    label,
    category: 'selftest',
  });
  writeTensor(run.env.ctx.device, t, values);
  run.tensors.push(t);
  return t;
}

export function output(run: GpuRun, format: FormatName, n: number, label: string): Tensor {
  const t = createTensor(run.env.pool, {
    shape: [n],
    storage: format,
    label,
    category: 'selftest',
  });
  writeWords(run.env.ctx.device, t.buffer, new Uint32Array(t.byteLength / 4).fill(POISON_WORD));
  run.tensors.push(t);
  return t;
}

export function u32Buffer(run: GpuRun, words: ArrayLike<number>, label: string): GPUBuffer {
  const b = run.env.pool.acquire({ label, byteLength: words.length * 4, category: 'selftest' });
  writeWords(run.env.ctx.device, b, Uint32Array.from(words));
  run.buffers.push(b);
  return b;
}

/** Records `record` after clearing the counters, submits once, reads the outputs and counts. */
export async function submit(
  run: GpuRun,
  record: (encoder: GPUCommandEncoder) => void,
  outputs: Tensor[],
): Promise<{ words: Uint32Array[]; counts: EventCounts[]; ms: number }> {
  const { device } = run.env.ctx;
  const encoder = device.createCommandEncoder({ label: 'matmul selftest' });
  run.counters.clear(encoder);
  record(encoder);
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  const ms = performance.now() - t0;
  const words = await Promise.all(outputs.map((t) => readTensorWords(device, t)));
  return { words, counts: await run.counters.read(device), ms };
}

function endRun(run: GpuRun): void {
  for (const t of run.tensors) run.env.pool.release(t.buffer);
  for (const b of run.buffers) run.env.pool.release(b);
  run.env.pool.release(run.counters.buffer);
}

/** Runs fn on a fresh GpuRun; its tensors, buffers and counters go back to the pool after. */
export async function withRun<T>(env: SelfTestEnv, fn: (run: GpuRun) => Promise<T>): Promise<T> {
  const run = startRun(env);
  try {
    return await fn(run);
  } finally {
    endRun(run);
  }
}

/** Scale of row or column i of n in the event tests: 2^-15 to 2^10, evenly in the exponent, so
 * a product of two scaled values runs from 2^-30 to 2^20 (overflow, subnormal, underflow). */
export const binadeSpread = (i: number, n: number): number =>
  2 ** (-15 + Math.round((25 * i) / Math.max(1, n - 1)));

/** Ordered integer of a 16-bit pattern (sign-magnitude to two's-complement order). */
function ordered16(format: FormatName, bits: number): number {
  const signBit = 2 ** (FORMATS[format].bits - 1);
  return bits >= signBit ? -(bits - signBit) : bits;
}

const isNaN16 = (format: FormatName, bits: number) => Number.isNaN(decode(format, bits));

export interface Comparison {
  pass: boolean;
  /** fp32: largest |gpu - ref| / S; 16-bit: largest ulp distance. */
  maxError: number;
  exact: number;
  mismatches: number;
  examples: string[];
  text: string;
}

/**
 * GPU output words against reference values `want` (already stored values of the format) under
 * the stated tolerance; `scale` is S per element (fp32 only); exact = true demands equal bits.
 */
export function compareOutput(
  name: string,
  format: FormatName,
  words: Uint32Array,
  want: Buf,
  scale: Float64Array | null,
  exact = false,
): Comparison {
  const n = want.length;
  const bits = unpackBits(format, words, n);
  let maxError = 0;
  let exactCount = 0;
  let mismatches = 0;
  const examples: string[] = [];
  for (let i = 0; i < n; i++) {
    const wantBits = encode(format, want[i]);
    let error: number;
    if (bits[i] === wantBits) error = 0;
    else if (format === 'fp32') {
      const g = f32FromBits(bits[i]);
      const s = scale ? scale[i] : 0;
      error = Number.isNaN(g) ? Infinity : s > 0 ? Math.abs(g - want[i]) / s : Infinity;
    } else if (isNaN16(format, bits[i]) || isNaN16(format, wantBits)) {
      error = isNaN16(format, bits[i]) && isNaN16(format, wantBits) ? 0 : Infinity;
    } else {
      error = Math.abs(ordered16(format, bits[i]) - ordered16(format, wantBits));
    }
    if (error === 0) exactCount++;
    maxError = Math.max(maxError, error);
    const limit = exact ? 0 : format === 'fp32' ? F32_TOLERANCE : ULP_TOLERANCE;
    if (error > limit) {
      mismatches++;
      if (examples.length < 3) {
        examples.push(`${name}[${i}] gpu ${hex(bits[i])} ref ${hex(wantBits)} (${want[i]})`);
      }
    }
  }
  // Packed storage with an odd count: the unused high lane of the last word must be zero.
  const lanes = format === 'fp32' ? 1 : 2;
  let padding = '';
  if (lanes === 2 && n % 2 === 1 && words[words.length - 1] >>> 16 !== 0) {
    mismatches++;
    padding = `; the unused lane of the last word is ${hex(words[words.length - 1])}`;
  }
  const unit = format === 'fp32' ? 'max |err|/S' : 'max ulps';
  const err =
    maxError === Infinity ? 'inf' : format === 'fp32' ? maxError.toExponential(2) : `${maxError}`;
  return {
    pass: mismatches === 0,
    maxError,
    exact: exactCount,
    mismatches,
    examples,
    text:
      `${name}: ${unit} ${err}, ${exactCount}/${n} bit-exact` +
      (mismatches ? `, ${mismatches} outside tolerance (${examples.join('; ')})` : '') +
      padding,
  };
}

export type CountRecord = Record<(typeof COUNTED_EVENTS)[number], number>;

/** numerics classify over the f32 values the reference stores (before the one rounding). */
export function cpuCounts(format: FormatName, preStore: Buf): CountRecord {
  const counts = Object.fromEntries(COUNTED_EVENTS.map((e) => [e, 0])) as CountRecord;
  for (let i = 0; i < preStore.length; i++) {
    const e = classify(format, preStore[i]);
    if (isCountedEvent(e)) counts[e]++;
  }
  return counts;
}

/** The counts include at least one overflow, one underflow and one subnormal. */
export const everyEvent = (c: CountRecord): boolean =>
  c.overflow > 0 && c.underflow > 0 && c.subnormal > 0;

export function addCounts(a: CountRecord, b: CountRecord): CountRecord {
  return Object.fromEntries(COUNTED_EVENTS.map((e) => [e, a[e] + b[e]])) as CountRecord;
}

/** GPU counts of group gi against CPU counts; strays in 'before' / 'after' fail too. */
export function compareCounts(counts: EventCounts[], expected: CountRecord[]): Comparison {
  const diffs: string[] = [];
  expected.forEach((want, g) => {
    const got = counts[g + 1];
    for (const e of COUNTED_EVENTS) {
      if (got[e] !== want[e]) diffs.push(`g${g} ${e} gpu ${got[e]} cpu ${want[e]}`);
    }
  });
  for (const g of [counts[0], counts[counts.length - 1]]) {
    for (const e of COUNTED_EVENTS) if (g[e] !== 0) diffs.push(`${g.group} ${e} ${g[e]} (stray)`);
  }
  const summary = expected
    .map((_want, g) => COUNTED_EVENTS.map((e) => `${e[0]}${counts[g + 1][e]}`).join('/'))
    .join(' ');
  return {
    pass: diffs.length === 0,
    maxError: diffs.length,
    exact: 0,
    mismatches: diffs.length,
    examples: diffs.slice(0, 4),
    text: diffs.length
      ? `event counts differ from numerics classify: ${diffs.slice(0, 4).join('; ')}`
      : `event counts (o/u/s/n) ${summary} = numerics classify`,
  };
}

/** Joins comparisons into one outcome. */
export function outcome(head: string, parts: Comparison[]): Outcome {
  return {
    pass: parts.every((p) => p.pass),
    detail: `${head}: ${parts.map((p) => p.text).join('; ')}`,
  };
}
