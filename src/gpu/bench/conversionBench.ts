/**
 * Conversion benchmark, run in the page by scripts/bench.mjs: the f32 -> bf16 and f32 -> fp16
 * cast kernels (integer round-to-nearest-even, event counting as training runs them) against the
 * plain f32 copy, in GB/s of memory traffic (bytes read + bytes written). R dispatches in one
 * submit, wall time to onSubmittedWorkDone, after a warm-up; the fastest of 2 timed runs.
 */
import type { FormatName } from '../../numerics';
import { random32 } from '../../numerics';
import { BufferPool, createTensor, writeTensor } from '../tensor';
import { compileCast, compileCopyF32, recordCast, recordCopyF32 } from '../kernels/convert';
import { EventCounters } from '../kernels/counters';
import { timeRecorded } from '../kernels/matmul';
import { benchEnv, fastestOf, repeatsFor } from './common';

export interface ConversionBenchRow {
  op: string;
  /** Elements per dispatch. */
  n: number;
  gbps: number;
  /** Milliseconds per dispatch. */
  ms: number;
  repeats: number;
}

export interface ConversionBenchOptions {
  /** Elements (default 2^22: 16 MiB of f32). */
  n?: number;
  targetMs?: number;
}

export async function runConversionBench(
  options: ConversionBenchOptions = {},
): Promise<{ rows: ConversionBenchRow[] }> {
  const { ctx, cache } = await benchEnv();
  const n = options.n ?? 1 << 22;
  const targetMs = options.targetMs ?? 400;
  const pool = new BufferPool(ctx.device);
  try {
    const src = createTensor(pool, {
      shape: [n],
      storage: 'fp32',
      label: 'bench src',
      category: 'bench',
    });
    // Values over many binades, so the rounding takes its usual paths.
    writeTensor(
      ctx.device,
      src,
      Float32Array.from(
        { length: n },
        (_, i) => (random32(3, i) / 2 ** 32 - 0.5) * 2 ** ((i % 40) - 20),
      ),
    );
    const counters = new EventCounters(pool, ['bench'], 'bench counters');
    const rows: ConversionBenchRow[] = [];
    const measure = async (
      op: string,
      bytes: number,
      record: (p: GPUComputePassEncoder) => void,
    ) => {
      const warm = await timeRecorded(ctx, record, 1, 'wall');
      const repeats = repeatsFor(warm.ms, targetMs);
      const ms = await fastestOf(
        2,
        async () => (await timeRecorded(ctx, record, repeats, 'wall')).ms,
      );
      rows.push({ op, n, gbps: (bytes * repeats) / (ms / 1e3) / 1e9, ms: ms / repeats, repeats });
    };
    const copy = await compileCopyF32(ctx, cache);
    const dst32 = createTensor(pool, {
      shape: [n],
      storage: 'fp32',
      label: 'bench dst',
      category: 'bench',
    });
    await measure('f32 copy', 8 * n, (p) => recordCopyF32(p, copy, src, dst32));
    for (const format of ['bf16', 'fp16'] as FormatName[]) {
      const cast = await compileCast(ctx, cache, 'fp32', format);
      const dst = createTensor(pool, {
        shape: [n],
        storage: format,
        label: `bench ${format}`,
        category: 'bench',
      });
      await measure(`f32 -> ${format} (counting ${cast.variant.counting})`, 6 * n, (p) =>
        recordCast(p, cast, src, dst, { counters, group: 0 }),
      );
    }
    return { rows };
  } finally {
    pool.destroy();
  }
}
