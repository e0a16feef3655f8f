/**
 * Machinery of the optimizer self-tests: seeded inputs, GPU tensors and buffers released after
 * each check, one submit per run, read-back, and bit comparisons with the CPU reference.
 *
 * Tolerances (stated once): the AdamW, unscale, clip and GradScaler kernels use the 'exact'
 * arithmetic (integer soft-float, each f32 operation rounded once to nearest even) in the
 * reference's evaluation order, so they must equal the reference BIT FOR BIT: 0 ulps, equal lost
 * updates and event counts. Norms sum in another (fixed) order than the reference's single
 * sequence, so they agree to f32 rounding of the sums: relative 1e-5 (the observed error is
 * ~1e-7; the worst-case bound for n terms, about n * 2^-24 / 2 on a norm, stays below 1e-5 for
 * the sizes here). The 'native' arithmetic variant is held to 2 ulps (WGSL's `/` and `sqrt`
 * may be off by 2.5 ulps, and an ulp there moves the result by at most about one).
 */
import { FORMATS, decode, encode, f32Bits, uniform01, type FormatName } from '../../../numerics';
import {
  createTensor,
  readBuffer,
  readTensorBits,
  writeTensor,
  writeWords,
  type Tensor,
} from '../../../gpu';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import type { Outcome } from '../suiteRun';

/** NaN in every lane of every format: an unwritten element can match no reference value. */
export const POISON_WORD = 0x7fc07fc0;

export type { Outcome };

export const hex = (v: number, digits = 8) => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;

/** A standard normal draw (Box-Muller on numerics uniform01), counter i of the seed. */
export function normal(seed: number, i: number): number {
  const u1 = uniform01(seed, 2 * i);
  const u2 = uniform01(seed, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** n values from f(i), rounded to the format (what an upload stores), in a Float32Array. */
export function stored(format: FormatName, n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => decode(format, encode(format, f(i))));
}

/** Bits of a value in the format; every NaN as the format's quiet NaN. */
export function bitsOf(format: FormatName, v: number): number {
  return format === 'fp32' && !Number.isNaN(v) ? f32Bits(v) : encode(format, v);
}

const isNaNBits = (format: FormatName, b: number) => Number.isNaN(decode(format, b));

/** Element-wise bit comparison (any NaN equals any NaN); counts and the first examples. */
export function compareBits(
  what: string,
  format: FormatName,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): { mismatches: number; examples: string[] } {
  let mismatches = 0;
  const examples: string[] = [];
  const digits = FORMATS[format].bits / 4;
  for (let i = 0; i < want.length; i++) {
    const g = got[i] >>> 0;
    const w = want[i] >>> 0;
    if (g === w || (isNaNBits(format, g) && isNaNBits(format, w))) continue;
    mismatches++;
    if (examples.length < 3) {
      examples.push(
        `${what}[${i}] gpu ${hex(g, digits)} (${decode(format, g)}) cpu ${hex(w, digits)} (${decode(format, w)})`,
      );
    }
  }
  return { mismatches, examples };
}

/** ulps between two f32 bit patterns (same-sign finite values; otherwise Infinity unless equal). */
export function ulpDistance(a: number, b: number): number {
  if (a === b) return 0;
  const ord = (x: number) => (x >>> 31 ? -(x & 0x7fffffff) : x);
  const fin = (x: number) => (x & 0x7f800000) !== 0x7f800000;
  return fin(a) && fin(b) ? Math.abs(ord(a >>> 0) - ord(b >>> 0)) : Infinity;
}

/** GPU objects of one check, released together. */
export class Scratch {
  private readonly tensors: Tensor[] = [];
  private readonly buffers: GPUBuffer[] = [];

  constructor(readonly env: SelfTestEnv) {}

  get device(): GPUDevice {
    return this.env.ctx.device;
  }

  /** A tensor holding `values` (rounded to `storage` on upload), or poisoned when null. */
  tensor(storage: FormatName, n: number, values: ArrayLike<number> | null, label: string): Tensor {
    const t = createTensor(this.env.pool, { shape: [n], storage, label, category: 'selftest' });
    this.tensors.push(t);
    if (values) writeTensor(this.device, t, values);
    else this.poison(t.buffer);
    return t;
  }

  /** A (2, N) fp32 moments tensor: exp_avg, then exp_avg_sq. */
  moments(expAvg: Float32Array, expAvgSq: Float32Array, label = 'selftest moments'): Tensor {
    const n = expAvg.length;
    const t = createTensor(this.env.pool, {
      shape: [2, n],
      storage: 'fp32',
      label,
      category: 'selftest',
    });
    this.tensors.push(t);
    const both = new Float32Array(2 * n);
    both.set(expAvg);
    both.set(expAvgSq, n);
    writeTensor(this.device, t, both);
    return t;
  }

  /** The two rows of a moments tensor as f32 bit patterns. */
  async momentBits(t: Tensor): Promise<[Uint32Array, Uint32Array]> {
    const bits = await readTensorBits(this.device, t);
    const n = t.shape[1];
    return [bits.slice(0, n), bits.slice(n, 2 * n)];
  }

  buffer(words: Uint32Array, label: string): GPUBuffer {
    const b = this.env.pool.acquire({ label, byteLength: words.byteLength, category: 'selftest' });
    this.buffers.push(b);
    writeWords(this.device, b, words);
    return b;
  }

  /** Takes ownership of a pooled buffer made elsewhere (state, table, plan...). */
  own(...buffers: GPUBuffer[]): void {
    this.buffers.push(...buffers);
  }

  poison(buffer: GPUBuffer): void {
    writeWords(this.device, buffer, new Uint32Array(buffer.size / 4).fill(POISON_WORD));
  }

  /** Records with `record`, submits once, waits; returns the wall time of the GPU work in ms. */
  async submit(label: string, record: (encoder: GPUCommandEncoder) => void): Promise<number> {
    const encoder = this.device.createCommandEncoder({ label });
    record(encoder);
    const t0 = performance.now();
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  }

  bits(t: Tensor): Promise<Uint32Array> {
    return readTensorBits(this.device, t);
  }

  words(b: GPUBuffer, count = b.size / 4): Promise<Uint32Array> {
    return readBuffer(this.device, b, count * 4);
  }

  release(): void {
    for (const t of this.tensors) this.env.pool.release(t.buffer);
    for (const b of this.buffers) this.env.pool.release(b);
  }
}

/** Runs fn with a Scratch that is released afterwards, whatever happens. */
export async function withScratch<T>(env: SelfTestEnv, fn: (s: Scratch) => Promise<T>): Promise<T> {
  const s = new Scratch(env);
  try {
    return await fn(s);
  } finally {
    s.release();
  }
}

/** Bits of f32 values (Float32Array words). */
export function f32Words(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** A compact "name: mismatches" summary part, with examples when there are any. */
export function summarize(name: string, r: { mismatches: number; examples: string[] }): string {
  return r.mismatches === 0
    ? `${name} equal`
    : `${name} ${r.mismatches} differ (${r.examples.join('; ')})`;
}
