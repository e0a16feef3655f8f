/**
 * Shared by the browser-side benchmarks: one device per page (requested with 'high-performance',
 * as tfjs-backend-webgpu requests its own, so both run on the same adapter), the adapter line of
 * the report, and the repetition count that makes a measurement last long enough to mean
 * something without making the whole run slow.
 */
import { acquireDevice, type GpuContext } from '../device';
import { PipelineCache } from '../pipelines';

export interface BenchAdapter {
  vendor: string;
  architecture: string;
  description: string;
  fallback: boolean;
  features: string[];
}

export interface BenchEnv {
  ctx: GpuContext;
  cache: PipelineCache;
}

let env: Promise<BenchEnv> | undefined;

export function benchEnv(): Promise<BenchEnv> {
  env ??= acquireDevice({ label: 'bench', powerPreference: 'high-performance' }).then((ctx) => ({
    ctx,
    cache: new PipelineCache(ctx.device),
  }));
  return env;
}

export async function benchAdapter(): Promise<BenchAdapter> {
  const { ctx } = await benchEnv();
  return {
    vendor: ctx.info.vendor,
    architecture: ctx.info.architecture,
    description: ctx.info.description,
    fallback: ctx.info.isFallbackAdapter,
    features: [...ctx.features],
  };
}

/** Repetitions so that R runs take about `targetMs`, from the time of one (at least 2, at most
 * `max`). */
export function repeatsFor(oneMs: number, targetMs: number, max = 64): number {
  return Math.max(2, Math.min(max, Math.ceil(targetMs / Math.max(oneMs, 1e-3))));
}

/** The fastest of `trials` runs of `run` (milliseconds): other work on the machine only ever adds
 * time, so the minimum is the least disturbed measurement. */
export async function fastestOf(trials: number, run: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let t = 0; t < trials; t++) best = Math.min(best, await run());
  return best;
}
