/**
 * One MoE transformer layer's forward + backward at the default size, in f32 storage (recipe
 * fp32) and bf16 storage (recipe bf16-amp). A layer cannot be submitted alone, so its cost is
 * the difference between the same model with 2 layers and with 1 layer (everything else, the
 * embedding, LM head and loss, is the same in both): per model, forward + backward recorded into
 * one encoder, one submit, wall time to onSubmittedWorkDone; one warm-up each, then the two
 * models alternate for `runs` timed runs and the fastest of each counts (benchmarks' common.ts:
 * other work only adds time). No optimizer step. Dispatches per layer: dispatchWorkgroups calls
 * recorded by the forward and by the backward, counted in the page (dispatchCounter.ts), also
 * as the difference between 2 and 1 layers.
 */
import { GpuMoeModel } from '../gpu';
import { resolveConfig, type MoeConfig } from '../reference';
import { batchOf, idBuffer, policyOf } from '../selftest/model/harness';
import { releaseSelfTestEnv, type SelfTestEnv } from '../../gpu/selftest/gpuRuns';
import { installDispatchCounter, tallyDelta, type DispatchCounter } from './dispatchCounter';
import { benchConfig, benchModelEnv } from './common';

export interface LayerFlops {
  forward: number;
  backward: number;
  /** forward + backward */
  total: number;
  formula: string;
}

export const LAYER_FLOP_FORMULA =
  'forward = 2*N*(3*C^2 + C^2 + C*E + 2*k*C*F) + 2*(2*N*T*C), backward = 2 * forward, N = B*T: ' +
  'the matmuls only (QKV, attention projection, router, fc1 and fc2 on k expert rows per token; ' +
  'Q*K^T and att*V over the full T x T); layer norm, softmax, GELU, routing and combine not counted';

/** Multiply-adds x 2 of one layer (LAYER_FLOP_FORMULA). */
export function layerFlops(config: MoeConfig): LayerFlops {
  const c = resolveConfig(config);
  const N = c.batch * c.context;
  const C = c.d;
  const matmuls = 2 * N * (3 * C * C + C * C + C * c.experts + 2 * c.topK * C * c.hidden);
  const attention = 2 * (2 * N * c.context * C);
  const forward = matmuls + attention;
  return { forward, backward: 2 * forward, total: 3 * forward, formula: LAYER_FLOP_FORMULA };
}

export interface MoeLayerRow {
  storage: 'fp32' | 'bf16';
  recipe: string;
  /** Milliseconds of one layer's forward + backward. */
  ms: number;
  /** layerFlops().total / ms. */
  gflops: number;
  /** dispatchWorkgroups calls of one layer. */
  dispatches: { forward: number; backward: number };
  /** Fastest forward + backward of the whole model, 1 and 2 layers (ms). */
  modelMs: { layers1: number; layers2: number };
  /** Whole-model dispatches, 1 and 2 layers (forward + backward). */
  modelDispatches: { layers1: number; layers2: number };
}

export interface MoeLayerBenchResult {
  config: { d: number; experts: number; topK: number; context: number; batch: number; heads: number; hidden: number };
  flops: LayerFlops;
  runs: number;
  rows: MoeLayerRow[];
}

export interface MoeLayerBenchOptions {
  /** Timed runs per model after the warm-up (default 2). */
  runs?: number;
}

interface Bench {
  model: GpuMoeModel;
  tokens: GPUBuffer;
  targets: GPUBuffer;
}

async function forwardBackwardMs(b: Bench): Promise<number> {
  const { device } = b.model.ctx;
  const enc = device.createCommandEncoder({ label: 'bench forward+backward' });
  b.model.recordForward(enc, b.tokens, b.targets);
  b.model.recordBackward(enc);
  const commands = enc.finish();
  const t0 = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/** Dispatches of a forward and of a backward, recorded and never submitted. */
function countForwardBackward(b: Bench, counter: DispatchCounter): { forward: number; backward: number } {
  const enc = b.model.ctx.device.createCommandEncoder({ label: 'dispatch count (never submitted)' });
  const t0 = counter.read();
  b.model.recordForward(enc, b.tokens, b.targets);
  const t1 = counter.read();
  b.model.recordBackward(enc);
  const t2 = counter.read();
  enc.finish();
  const forward = tallyDelta(t1, t0);
  const backward = tallyDelta(t2, t1);
  if (forward.irregularPasses + backward.irregularPasses > 0) {
    throw new Error('moe_layer: a compute pass of the model recorded other than one dispatch; count dispatches, not passes, before reporting per-pass figures.');
  }
  return { forward: forward.dispatches, backward: backward.dispatches };
}

async function createBench(env: SelfTestEnv, config: MoeConfig, recipe: string): Promise<Bench> {
  const model = await GpuMoeModel.create(env.ctx, env.cache, env.pool, config, policyOf(recipe), {
    seed: 11,
    label: `bench ${recipe} L=${config.layers}`,
  });
  const { tokens, targets } = batchOf(11, 0, config);
  return {
    model,
    tokens: idBuffer(env.pool, tokens, 'bench tokens'),
    targets: idBuffer(env.pool, targets, 'bench targets'),
  };
}

function destroyBench(env: SelfTestEnv, b: Bench): void {
  b.model.destroy();
  env.pool.release(b.tokens);
  env.pool.release(b.targets);
}

const STORAGES = [
  { storage: 'fp32', recipe: 'fp32' },
  { storage: 'bf16', recipe: 'bf16-amp' },
] as const;

export async function runMoeLayerBench(options: MoeLayerBenchOptions = {}): Promise<MoeLayerBenchResult> {
  const runs = Math.max(1, options.runs ?? 2);
  const base = benchConfig('default');
  const c = resolveConfig(base);
  const flops = layerFlops(base);
  const env = await benchModelEnv();
  const rows: MoeLayerRow[] = [];
  try {
    for (const { storage, recipe } of STORAGES) {
      const one = await createBench(env, { ...base, layers: 1 }, recipe);
      const two = await createBench(env, { ...base, layers: 2 }, recipe);
      try {
        const counter = installDispatchCounter();
        let d1, d2;
        try {
          d1 = countForwardBackward(one, counter);
          d2 = countForwardBackward(two, counter);
        } finally {
          counter.uninstall();
        }
        await forwardBackwardMs(one); // warm-up: first-use costs stay out
        await forwardBackwardMs(two);
        let ms1 = Infinity;
        let ms2 = Infinity;
        for (let r = 0; r < runs; r++) {
          ms1 = Math.min(ms1, await forwardBackwardMs(one));
          ms2 = Math.min(ms2, await forwardBackwardMs(two));
        }
        const ms = ms2 - ms1;
        rows.push({
          storage,
          recipe,
          ms,
          gflops: flops.total / (ms / 1e3) / 1e9,
          dispatches: { forward: d2.forward - d1.forward, backward: d2.backward - d1.backward },
          modelMs: { layers1: ms1, layers2: ms2 },
          modelDispatches: { layers1: d1.forward + d1.backward, layers2: d2.forward + d2.backward },
        });
      } finally {
        destroyBench(env, one);
        destroyBench(env, two);
      }
    }
  } finally {
    releaseSelfTestEnv(env);
  }
  return {
    config: { d: c.d, experts: c.experts, topK: c.topK, context: c.context, batch: c.batch, heads: c.heads, hidden: c.hidden },
    flops,
    runs,
    rows,
  };
}
