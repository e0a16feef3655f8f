/**
 * Matmul benchmark, run in the page by scripts/bench.mjs: our f32 matmul (both variants, and the
 * one the chooser picks) against tfjs-backend-webgpu's tf.matMul on the same shapes.
 *
 * Same work on both sides: out (M,N) = A (M,K) · B (K,N), f32, no bias (the NN form, which is
 * what tf.matMul(a, b) computes). Ours: R dispatches recorded into one pass and one submit, wall
 * time to onSubmittedWorkDone (event counting off: tfjs counts nothing). tfjs: R tf.matMul calls,
 * then one data() read of the last result (the queue runs them in order). Both after a warm-up
 * run that also compiles the pipelines; R from the warm-up's time; the fastest of 2 timed runs.
 * GFLOP/s = 2 * M * N * K * R / seconds / 1e9.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { random32 } from '../../numerics';
import { BufferPool, createTensor, writeTensor, type Tensor } from '../tensor';
import {
  MATMUL_VARIANTS,
  chooseMatmulVariant,
  clearMatmulChoices,
  compileMatmul,
  recordMatmulForward,
  timeRecorded,
  type MatmulChoice,
  type MatmulShape,
  type MatmulVariant,
} from '../kernels/matmul';
import { benchAdapter, benchEnv, fastestOf, repeatsFor, type BenchAdapter } from './common';

export interface MatmulBenchShape {
  m: number;
  n: number;
  k: number;
  /** What the shape is in the model. */
  what: string;
}

/** Square 256 and 512, then the default model's shapes (B*T = 2048 tokens, C = 128, 4C = 512,
 * V = 65). */
export const MATMUL_BENCH_SHAPES: readonly MatmulBenchShape[] = [
  { m: 256, n: 256, k: 256, what: 'square' },
  { m: 512, n: 512, k: 512, what: 'square' },
  { m: 2048, n: 512, k: 128, what: 'expert up (C -> 4C)' },
  { m: 2048, n: 128, k: 512, what: 'expert down (4C -> C)' },
  { m: 2048, n: 65, k: 128, what: 'LM head (C -> V)' },
];

export interface MatmulBenchRow {
  m: number;
  n: number;
  k: number;
  what: string;
  /** The chosen variant's GFLOP/s. */
  ours_gflops: number;
  tfjs_gflops: number;
  /** ours / tfjs. */
  ratio: number;
  variant: MatmulVariant;
  register_gflops: number;
  shared_gflops: number;
  repeats: { register: number; shared: number; tfjs: number };
}

export interface MatmulBenchResult {
  adapter: BenchAdapter;
  chooser: MatmulChoice;
  rows: MatmulBenchRow[];
}

export interface MatmulBenchOptions {
  /** Only the first n shapes (a quick run). */
  shapes?: number;
  /** Target milliseconds per timed measurement (default 600). */
  targetMs?: number;
}

/** Timed runs per measurement; the fastest counts (see fastestOf). */
const TRIALS = 2;

const gflops = (s: MatmulBenchShape, repeats: number, ms: number) =>
  (2 * s.m * s.n * s.k * repeats) / (ms / 1e3) / 1e9;

function uniformValues(n: number, key: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => random32(key, i) / 2 ** 32 - 0.5);
}

async function timeOurs(
  pool: BufferPool,
  variant: MatmulVariant,
  s: MatmulBenchShape,
  targetMs: number,
): Promise<{ gflops: number; repeats: number }> {
  const { ctx, cache } = await benchEnv();
  const tensor = (n: number, label: string): Tensor =>
    createTensor(pool, { shape: [n], storage: 'fp32', label, category: 'bench' });
  const a = tensor(s.m * s.k, 'bench A');
  const b = tensor(s.k * s.n, 'bench B');
  const out = tensor(s.m * s.n, 'bench out');
  writeTensor(ctx.device, a, uniformValues(a.size, 1));
  writeTensor(ctx.device, b, uniformValues(b.size, 2));
  const kernel = await compileMatmul(
    ctx,
    cache,
    variant,
    { a: 'fp32', b: 'fp32', out: 'fp32' },
    'off',
  );
  const shape: MatmulShape = { form: 'NN', M: s.m, N: s.n, K: s.k };
  const record = (pass: GPUComputePassEncoder) =>
    recordMatmulForward(pass, kernel, { out, a, b }, shape);
  const warm = await timeRecorded(ctx, record, 1, 'wall');
  const repeats = repeatsFor(warm.ms, targetMs);
  const ms = await fastestOf(
    TRIALS,
    async () => (await timeRecorded(ctx, record, repeats, 'wall')).ms,
  );
  for (const x of [a, b, out]) pool.release(x.buffer);
  return { gflops: gflops(s, repeats, ms), repeats };
}

async function timeTfjs(
  s: MatmulBenchShape,
  targetMs: number,
): Promise<{ gflops: number; repeats: number }> {
  const a = tf.tensor2d(uniformValues(s.m * s.k, 1), [s.m, s.k]);
  const b = tf.tensor2d(uniformValues(s.k * s.n, 2), [s.k, s.n]);
  const run = async (repeats: number) => {
    const outs: tf.Tensor[] = [];
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) outs.push(tf.matMul(a, b));
    await outs[outs.length - 1].data();
    const ms = performance.now() - t0;
    for (const o of outs) o.dispose();
    return ms;
  };
  try {
    await run(1); // compiles tfjs's program for this shape
    const one = await run(1);
    const repeats = repeatsFor(one, targetMs);
    return { gflops: gflops(s, repeats, await fastestOf(TRIALS, () => run(repeats))), repeats };
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** Sets up tfjs on its WebGPU backend; throws a sentence when the backend is unavailable. */
export async function tfjsWebGpuReady(): Promise<void> {
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') {
    throw new Error(
      `tfjs could not start its WebGPU backend (it is on "${tf.getBackend()}"): the comparison needs WebGPU in this browser.`,
    );
  }
}

export async function runMatmulBench(options: MatmulBenchOptions = {}): Promise<MatmulBenchResult> {
  const { ctx, cache } = await benchEnv();
  const targetMs = options.targetMs ?? 600;
  clearMatmulChoices();
  const chooser = await chooseMatmulVariant(ctx, cache);
  await tfjsWebGpuReady();
  const pool = new BufferPool(ctx.device);
  const rows: MatmulBenchRow[] = [];
  try {
    for (const s of MATMUL_BENCH_SHAPES.slice(0, options.shapes ?? MATMUL_BENCH_SHAPES.length)) {
      const ours = {} as Record<MatmulVariant, { gflops: number; repeats: number }>;
      for (const v of MATMUL_VARIANTS) ours[v] = await timeOurs(pool, v, s, targetMs);
      const theirs = await timeTfjs(s, targetMs);
      const chosen = ours[chooser.variant].gflops;
      rows.push({
        m: s.m,
        n: s.n,
        k: s.k,
        what: s.what,
        ours_gflops: chosen,
        tfjs_gflops: theirs.gflops,
        ratio: chosen / theirs.gflops,
        variant: chooser.variant,
        register_gflops: ours.register.gflops,
        shared_gflops: ours.shared.gflops,
        repeats: {
          register: ours.register.repeats,
          shared: ours.shared.repeats,
          tfjs: theirs.repeats,
        },
      });
    }
  } finally {
    pool.destroy();
  }
  return { adapter: await benchAdapter(), chooser, rows };
}
