/**
 * GPU side of the self-tests: a shared environment and single-submit runs of the kernels under
 * test with poisoned outputs (0xDEADBEEF), so a word the kernel fails to write cannot pass.
 */
import type { FormatName } from '../../numerics';
import { acquireDevice, type GpuContext } from '../device';
import { PipelineCache } from '../pipelines';
import {
  BufferPool,
  createTensor,
  readBuffer,
  readTensorBits,
  readTensorWords,
  writeWords,
  type Tensor,
} from '../tensor';
import { unpackBits, wordCount } from '../packing';
import { EventCounters, type EventCounting, type EventCounts } from '../kernels/counters';
import { compileCast, compileCopyF32, recordCast, recordCopyF32 } from '../kernels/convert';
import {
  compileKernel,
  runKernel,
  type KernelDescriptor,
  type KernelVariant,
} from '../kernels/kernel';
import { testValueBits } from './values';

export const POISON = 0xdeadbeef;

export interface SelfTestEnv {
  ctx: GpuContext;
  cache: PipelineCache;
  pool: BufferPool;
  /** f32 bit patterns under test: edge cases, then the random sample. */
  values: Uint32Array;
  /** Cast runs of `values` already done, by `${format}|${counting}`. */
  castRuns: Map<string, CastRun>;
}

export interface SelfTestEnvOptions {
  /** Random f32 patterns besides the edge cases (default 2^20). */
  randomCount?: number;
  ctx?: GpuContext;
}

export async function createSelfTestEnv(options: SelfTestEnvOptions = {}): Promise<SelfTestEnv> {
  const ctx = options.ctx ?? (await acquireDevice({ label: 'self-test' }));
  return {
    ctx,
    cache: new PipelineCache(ctx.device),
    pool: new BufferPool(ctx.device),
    values: testValueBits(options.randomCount ?? 1 << 20),
    castRuns: new Map(),
  };
}

export function releaseSelfTestEnv(env: SelfTestEnv): void {
  env.pool.destroy();
}

/** A tensor holding packed words exactly as given. */
export function tensorOfWords(
  env: SelfTestEnv,
  storage: FormatName,
  words: Uint32Array,
  n: number,
  label: string,
): Tensor {
  const t = createTensor(env.pool, { shape: [n], storage, label, category: 'selftest' });
  writeWords(env.ctx.device, t.buffer, words);
  return t;
}

export function poison(env: SelfTestEnv, buffer: GPUBuffer, byteLength = buffer.size): void {
  writeWords(env.ctx.device, buffer, new Uint32Array(byteLength / 4).fill(POISON));
}

export interface CastRun {
  /** Per-element bits of the result in the destination format. */
  bits: Uint32Array;
  /** The packed words as stored (unused lanes of the last word included). */
  words: Uint32Array;
  /** Counts of the three counter groups; the run adds to group 1 only. */
  counts: EventCounts[];
  ms: number;
}

/** Casts f32 patterns (or packed words of `srcFormat`) to `dstFormat` on the GPU in one submit. */
export async function castOnGpu(
  env: SelfTestEnv,
  srcFormat: FormatName,
  srcWords: Uint32Array,
  n: number,
  dstFormat: FormatName,
  counting: EventCounting,
): Promise<CastRun> {
  const { device } = env.ctx;
  const kernel = await compileCast(env.ctx, env.cache, srcFormat, dstFormat, counting);
  const src = tensorOfWords(env, srcFormat, srcWords, n, `selftest src ${srcFormat}`);
  const dst = createTensor(env.pool, {
    shape: [n],
    storage: dstFormat,
    label: `selftest dst ${dstFormat}`,
    category: 'selftest',
  });
  const counters = new EventCounters(env.pool, ['before', 'run', 'after'], 'selftest counters');
  try {
    poison(env, dst.buffer);
    const encoder = device.createCommandEncoder({ label: 'selftest cast' });
    counters.clear(encoder);
    recordCast(
      encoder,
      kernel,
      src,
      dst,
      counting === 'off' ? undefined : { counters, group: counters.group('run') },
    );
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    const words = await readTensorWords(device, dst);
    return {
      bits: unpackBits(dstFormat, words, n),
      words,
      counts: await counters.read(device),
      ms,
    };
  } finally {
    env.pool.release(src.buffer);
    env.pool.release(dst.buffer);
    env.pool.release(counters.buffer);
  }
}

/** castOnGpu of env.values from fp32, memoized per (format, counting). */
export async function castValues(
  env: SelfTestEnv,
  dstFormat: FormatName,
  counting: EventCounting,
): Promise<CastRun> {
  const key = `${dstFormat}|${counting}`;
  let run = env.castRuns.get(key);
  if (!run) {
    run = await castOnGpu(env, 'fp32', env.values, env.values.length, dstFormat, counting);
    env.castRuns.set(key, run);
  }
  return run;
}

/** Words of `src` copied by the plain f32 copy kernel. */
export async function copyOnGpu(env: SelfTestEnv, words: Uint32Array): Promise<Uint32Array> {
  const { device } = env.ctx;
  const kernel = await compileCopyF32(env.ctx, env.cache);
  const src = tensorOfWords(env, 'fp32', words, words.length, 'selftest copy src');
  const dst = createTensor(env.pool, {
    shape: [words.length],
    storage: 'fp32',
    label: 'selftest copy dst',
    category: 'selftest',
  });
  try {
    poison(env, dst.buffer);
    const encoder = device.createCommandEncoder({ label: 'selftest copy' });
    recordCopyF32(encoder, kernel, src, dst);
    device.queue.submit([encoder.finish()]);
    return await readBuffer(device, dst.buffer, dst.byteLength);
  } finally {
    env.pool.release(src.buffer);
    env.pool.release(dst.buffer);
  }
}

/** Runs a probe kernel on raw u32 inputs; returns its `out` words (poisoned before the run). */
export async function runProbe(
  env: SelfTestEnv,
  kernel: KernelDescriptor,
  variant: KernelVariant,
  inputs: Record<string, Uint32Array>,
  outWords: number,
  uniforms: Record<string, number>,
  work: number[],
): Promise<Uint32Array> {
  const { device } = env.ctx;
  const compiled = await compileKernel(env.ctx, env.cache, kernel, variant);
  const buffers: Record<string, GPUBuffer> = {};
  for (const [name, words] of Object.entries(inputs)) {
    buffers[name] = env.pool.acquire({
      label: `${kernel.name} ${name}`,
      byteLength: words.byteLength,
      category: 'selftest',
    });
    writeWords(device, buffers[name], words);
  }
  const out = env.pool.acquire({
    label: `${kernel.name} out`,
    byteLength: outWords * 4,
    category: 'selftest',
  });
  buffers.out = out;
  try {
    poison(env, out, outWords * 4);
    const encoder = device.createCommandEncoder({ label: kernel.name });
    runKernel(encoder, compiled, { buffers, uniforms, work });
    device.queue.submit([encoder.finish()]);
    return await readBuffer(device, out, outWords * 4);
  } finally {
    for (const b of Object.values(buffers)) env.pool.release(b);
  }
}

/** Stochastic rounding of f32 patterns to `format` with random32(key, i) on the GPU. */
export async function stochasticOnGpu(
  env: SelfTestEnv,
  kernel: KernelDescriptor,
  format: FormatName,
  values: Uint32Array,
  key: number,
): Promise<Uint32Array> {
  const { device } = env.ctx;
  const compiled = await compileKernel(env.ctx, env.cache, kernel, {
    formats: { src: 'fp32', dst: format },
  });
  const n = values.length;
  const src = tensorOfWords(env, 'fp32', values, n, 'selftest stochastic src');
  const dst = createTensor(env.pool, {
    shape: [n],
    storage: format,
    label: 'selftest stochastic dst',
    category: 'selftest',
  });
  try {
    poison(env, dst.buffer);
    const words = wordCount(format, n);
    const encoder = device.createCommandEncoder({ label: kernel.name });
    runKernel(encoder, compiled, {
      buffers: { src, dst },
      uniforms: { n, words, key },
      work: [words],
    });
    device.queue.submit([encoder.finish()]);
    return await readTensorBits(device, dst);
  } finally {
    env.pool.release(src.buffer);
    env.pool.release(dst.buffer);
  }
}
