/**
 * Every kernel one model needs, compiled once for its policy (pipelines are cached per shader
 * key, so lanes of the same recipe share them) and wrapped to accept views (views.ts).
 *
 * Formats (policy.ts), by what a tensor is:
 *   S   activations and activation gradients             policy.storage
 *   Wm  matmul weights as read (master cast, or stored)   policy.matmul
 *   Wf  embeddings and layer norm parameters as read      f32, or the pure format
 *   Wr  the router weight as read                         the router's format, or the pure one
 *   Rf  router activations                                policy.router
 *   G*  gradients as the backward writes them: the read format of their weight's matmul output
 *       (S for matmul weights under autocast, Rf for the router weight), f32 for f32 reductions,
 *       the pure format for everything in a pure recipe.
 */
import type { FormatName } from '../../numerics';
import {
  compileCast,
  type CompiledKernel,
  type EventCounting,
  type GpuContext,
  type PipelineCache,
} from '../../gpu';
import {
  compileGroupedMatmul,
  compileGroupedMatmulBackward,
  compileMatmul,
  compileMatmulBackward,
  type GroupedBackwardKernels,
  type MatmulBackwardKernels,
  type MatmulVariant,
} from '../../gpu/kernels/matmul';
import {
  compileAttention,
  compileCrossEntropy,
  compileEncoder,
  compileGelu,
  compileLayerNorm,
  type AttentionKernels,
  type CrossEntropyKernels,
  type EncoderKernels,
  type GeluKernels,
  type LayerNormKernels,
} from '../../gpu/kernels/transformer';
import {
  compileCombineBackward,
  compileCombineForward,
  compileDispatch,
  compileGatherBackward,
  compileGatherForward,
  compileLoadBalance,
  compileRouterBackward,
  compileRouterForward,
  compileZLoss,
  type CombineBackwardKernels,
  type DispatchKernels,
  type LoadBalanceKernels,
  type ZLossKernels,
} from '../../gpu/kernels/moe';
import {
  compileAdamW,
  compileAdamWPure,
  compileGradNorm,
  compileScalerUpdate,
  compileUnscale,
  type Arithmetic,
  type GradNormKernels,
} from '../../gpu/kernels/optim';
import { compileModelKernels, type ModelKernels } from './kernels';
import { castsWeights, isPurePolicy, type ModelPolicy } from './policy';

export interface ModelFormats {
  S: FormatName;
  Wm: FormatName;
  Wf: FormatName;
  Wr: FormatName;
  Rf: FormatName;
  Gm: FormatName;
  Gf: FormatName;
  Gr: FormatName;
  /** Format of the full flat weights (master f32, or the pure format). */
  full: FormatName;
}

export function modelFormats(p: ModelPolicy): ModelFormats {
  const pure = isPurePolicy(p);
  const W = p.weights;
  return {
    S: p.storage,
    Wm: p.matmul,
    Wf: pure ? W : 'fp32',
    Wr: pure ? W : p.router,
    Rf: p.router,
    Gm: pure ? W : p.storage,
    Gf: pure ? W : 'fp32',
    Gr: pure ? W : p.router,
    full: pure ? W : 'fp32',
  };
}

export interface CompiledModel {
  formats: ModelFormats;
  encoder: EncoderKernels;
  layerNorm: LayerNormKernels;
  attention: AttentionKernels;
  gelu: GeluKernels;
  crossEntropy: CrossEntropyKernels;
  /** qkv and attention projection: bias, (S, Wm) -> S. */
  linear: CompiledKernel;
  linearBackward: MatmulBackwardKernels;
  /** LM head: no bias. */
  head: CompiledKernel;
  headBackward: MatmulBackwardKernels;
  /** Router logits: (S, Wr) -> Rf, no bias. */
  routerLinear: CompiledKernel;
  routerLinearBackward: MatmulBackwardKernels;
  expert: CompiledKernel;
  expertBackward: GroupedBackwardKernels;
  routerForward: CompiledKernel;
  routerBackward: CompiledKernel;
  dispatch: DispatchKernels;
  gatherForward: CompiledKernel;
  gatherBackward: CompiledKernel;
  combineForward: CompiledKernel;
  combineBackward: CombineBackwardKernels;
  loadBalance: LoadBalanceKernels;
  zLoss: ZLossKernels;
  model: ModelKernels;
  /** Optimizer: master-only AdamW (f32 gradients), and the one writing the low copy too. */
  adamw: CompiledKernel | null;
  adamwCopy: CompiledKernel | null;
  adamwPure: CompiledKernel | null;
  gradNorm: GradNormKernels;
  weightNorm: GradNormKernels;
  /** Autocast: 16-bit gradients -> f32 (cast, or unscale when the loss is scaled). */
  widen: CompiledKernel | null;
  /** Loss scaling: the scaled f32 gradients -> unscaled f32. */
  unscaleWide: CompiledKernel | null;
  /** Autocast: the initial cast of the master into the low copy. */
  castCopy: CompiledKernel | null;
  stepEnd: CompiledKernel;
}

export interface CompileOptions {
  matmul: MatmulVariant;
  arithmetic: Arithmetic;
  counting?: EventCounting;
}

export async function compileModel(
  ctx: GpuContext,
  cache: PipelineCache,
  p: ModelPolicy,
  o: CompileOptions,
): Promise<CompiledModel> {
  const f = modelFormats(p);
  const { S, Wm, Wf, Wr, Rf, Gm, Gf, Gr } = f;
  const counting = o.counting;
  const v = o.matmul;
  const transformer = { storage: S, params: Wf, paramGrads: Gf, counting };
  const cast = castsWeights(p);
  const pure = isPurePolicy(p);
  const scaled = p.scaler !== null;
  const none = Promise.resolve(null);
  const [
    encoder,
    layerNorm,
    attention,
    gelu,
    crossEntropy,
    linear,
    linearBackward,
    head,
    headBackward,
    routerLinear,
    routerLinearBackward,
    expert,
    expertBackward,
  ] = await Promise.all([
    compileEncoder(ctx, cache, transformer),
    compileLayerNorm(ctx, cache, transformer),
    compileAttention(ctx, cache, transformer),
    compileGelu(ctx, cache, transformer),
    compileCrossEntropy(ctx, cache, transformer),
    compileMatmul(ctx, cache, v, { a: S, b: Wm, out: S, bias: Wm }, counting),
    compileMatmulBackward(ctx, cache, v, 'NT', { dout: S, a: S, b: Wm, da: S, db: Gm, dbias: Gm }, counting),
    compileMatmul(ctx, cache, v, { a: S, b: Wm, out: S }, counting),
    compileMatmulBackward(ctx, cache, v, 'NT', { dout: S, a: S, b: Wm, da: S, db: Gm }, counting),
    compileMatmul(ctx, cache, v, { a: S, b: Wr, out: Rf }, counting),
    compileMatmulBackward(ctx, cache, v, 'NT', { dout: Rf, a: S, b: Wr, da: Rf, db: Gr }, counting),
    compileGroupedMatmul(ctx, cache, v, { inp: S, w: Wm, out: S, bias: Wm }, counting),
    compileGroupedMatmulBackward(ctx, cache, v, { dout: S, inp: S, w: Wm, dinp: S, dw: Gm, dbias: Gm }, counting),
  ]);
  const [
    routerForward,
    routerBackward,
    dispatch,
    gatherForward,
    gatherBackward,
    combineForward,
    combineBackward,
    loadBalance,
    zLoss,
    model,
  ] = await Promise.all([
    compileRouterForward(ctx, cache, Rf, counting),
    compileRouterBackward(ctx, cache, Rf, counting),
    compileDispatch(ctx, cache),
    compileGatherForward(ctx, cache, S),
    compileGatherBackward(ctx, cache, S, counting),
    compileCombineForward(ctx, cache, { main: S, router: Rf }, counting),
    compileCombineBackward(ctx, cache, { main: S, router: Rf }, counting),
    compileLoadBalance(ctx, cache, Rf),
    compileZLoss(ctx, cache, Rf, counting),
    compileModelKernels(ctx, cache, S, Rf, counting),
  ]);
  const arithmetic = o.arithmetic;
  const [adamw, adamwCopy, adamwPure, gradNorm, weightNorm, widen, unscaleWide, castCopy, stepEnd] =
    await Promise.all([
      pure ? none : compileAdamW(ctx, cache, { grads: 'fp32', arithmetic }),
      cast ? compileAdamW(ctx, cache, { grads: 'fp32', copy: S, arithmetic, counting }) : none,
      pure
        ? compileAdamWPure(ctx, cache, { weights: f.full, grads: f.full, arithmetic, counting })
        : none,
      compileGradNorm(ctx, cache, f.full),
      compileGradNorm(ctx, cache, f.full),
      !cast ? none : scaled ? compileUnscale(ctx, cache, S, 'fp32', 'off') : compileCast(ctx, cache, S, 'fp32', 'off'),
      cast && scaled ? compileUnscale(ctx, cache, 'fp32', 'fp32', 'off') : none,
      cast ? compileCast(ctx, cache, 'fp32', S, counting) : none,
      compileScalerUpdate(ctx, cache),
    ]);
  return {
    formats: f,
    encoder,
    layerNorm,
    attention,
    gelu,
    crossEntropy,
    linear,
    linearBackward,
    head,
    headBackward,
    routerLinear,
    routerLinearBackward,
    expert,
    expertBackward,
    routerForward,
    routerBackward,
    dispatch,
    gatherForward,
    gatherBackward,
    combineForward,
    combineBackward,
    loadBalance,
    zLoss,
    model,
    adamw,
    adamwCopy,
    adamwPure,
    gradNorm,
    weightNorm,
    widen,
    unscaleWide,
    castCopy,
    stepEnd,
  };
}
