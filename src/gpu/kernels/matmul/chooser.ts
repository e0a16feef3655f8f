/**
 * Picks the matmul variant for this adapter by measuring, not by vendor: a few dispatches of
 * each variant (interleaved trials, fastest kept) at a representative shape (the model's linear layer, NT, f32), timed with
 * timestamp queries when available (else wall time to onSubmittedWorkDone). The result is cached
 * in memory per adapter (vendor, architecture, description, fallback flag) for the page's life.
 *
 * Software adapters have slow barriers, so 'register' usually wins there; GPUs with on-chip
 * shared memory usually prefer 'shared'. The measurement decides.
 */
import { random32 } from '../../../numerics';
import type { AdapterDescription, GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { BufferPool, createTensor, writeTensor, type Tensor } from '../../tensor';
import { MATMUL_VARIANTS, type MatmulVariant } from './descriptors';
import { compileMatmul, recordMatmulForward, type MatmulShape } from './matmul';
import { timeRecorded, type TimingMethod } from './timing';

export interface MatmulChoice {
  variant: MatmulVariant;
  adapterKey: string;
  method: TimingMethod;
  /** Shape of the deciding measurement. */
  shape: MatmulShape;
  /** Milliseconds per dispatch of each variant at that shape. */
  msPerDispatch: Record<MatmulVariant, number>;
}

export function adapterKey(info: AdapterDescription): string {
  return [info.vendor, info.architecture, info.description, info.isFallbackAdapter].join('|');
}

const choices = new Map<string, Promise<MatmulChoice>>();

/** A small shape first (software adapters take ~10 ms a dispatch there); when both variants run
 * it in under 2 ms, a GPU is fast enough for the model's full layer shape. */
const SMALL: MatmulShape = { form: 'NT', M: 512, N: 128, K: 128 };
const LARGE: MatmulShape = { form: 'NT', M: 2048, N: 512, K: 128 };
const TRIALS = 3;

/** The measured choice for ctx's adapter (measured once per adapter and page). */
export function chooseMatmulVariant(ctx: GpuContext, cache: PipelineCache): Promise<MatmulChoice> {
  const key = adapterKey(ctx.info);
  let choice = choices.get(key);
  if (!choice) {
    choice = measureChoice(ctx, cache, key);
    choices.set(key, choice);
    choice.catch(() => choices.delete(key));
  }
  return choice;
}

/** Forgets cached choices (tests and the bench measure afresh). */
export function clearMatmulChoices(): void {
  choices.clear();
}

async function measureChoice(
  ctx: GpuContext,
  cache: PipelineCache,
  key: string,
): Promise<MatmulChoice> {
  let shape = SMALL;
  let ms = await measureVariants(ctx, cache, shape, 1);
  if (Math.max(...MATMUL_VARIANTS.map((v) => ms[v].ms)) < 2) {
    shape = LARGE;
    ms = await measureVariants(ctx, cache, shape, 4);
  }
  const variant = MATMUL_VARIANTS.reduce((best, v) => (ms[v].ms < ms[best].ms ? v : best));
  return {
    variant,
    adapterKey: key,
    method: ms[variant].method,
    shape,
    msPerDispatch: Object.fromEntries(MATMUL_VARIANTS.map((v) => [v, ms[v].ms])) as Record<
      MatmulVariant,
      number
    >,
  };
}

type Measured = Record<MatmulVariant, { ms: number; method: TimingMethod }>;

async function measureVariants(
  ctx: GpuContext,
  cache: PipelineCache,
  shape: MatmulShape,
  repeats: number,
): Promise<Measured> {
  const pool = new BufferPool(ctx.device);
  try {
    const { M, N, K } = shape;
    const tensor = (n: number, label: string, fill: boolean): Tensor => {
      const t = createTensor(pool, { shape: [n], storage: 'fp32', label, category: 'bench' });
      if (fill) {
        writeTensor(
          ctx.device,
          t,
          Float32Array.from({ length: n }, (_, i) => random32(7, i) / 2 ** 32 - 0.5),
        );
      }
      return t;
    };
    const a = tensor(M * K, 'chooser A', true);
    const b = tensor(N * K, 'chooser B', true);
    const out = tensor(M * N, 'chooser out', false);
    const records = {} as Record<MatmulVariant, (pass: GPUComputePassEncoder) => void>;
    for (const variant of MATMUL_VARIANTS) {
      const kernel = await compileMatmul(
        ctx,
        cache,
        variant,
        { a: 'fp32', b: 'fp32', out: 'fp32' },
        'off',
      );
      records[variant] = (pass) => recordMatmulForward(pass, kernel, { out, a, b }, shape);
      await timeRecorded(ctx, records[variant], 1); // warm-up: first-use costs stay out
    }
    // Trials interleaved across variants, the fastest of each kept: other work on the machine
    // only ever adds time, so the minimum is the least disturbed measurement.
    const result = {} as Measured;
    for (let trial = 0; trial < TRIALS; trial++) {
      for (const variant of MATMUL_VARIANTS) {
        const t = await timeRecorded(ctx, records[variant], repeats);
        const ms = t.ms / repeats;
        if (!result[variant] || ms < result[variant].ms) result[variant] = { ms, method: t.method };
      }
    }
    return result;
  } finally {
    pool.destroy();
  }
}
