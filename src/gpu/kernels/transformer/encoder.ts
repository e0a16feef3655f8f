/**
 * Token + position embedding on the GPU (reference: src/model/reference/embedding.ts).
 *
 *   forward:  out (B,T,C) = store(wte[tokens] + wpe[t])            [storage]  <- wte (V,C), wpe (maxT,C) [params]
 *   backward: dwte (V,C), dwpe (maxT,C) overwritten               [paramGrads] <- dout (B,T,C) [storage]
 * The backward is a scatter-add made deterministic without atomics: each dwte element sums, in
 * (b, t) ascending order, the dout rows whose token is its row (B*T reads of the token ids per
 * element: cheap for a character vocabulary); each dwpe element sums over b.
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { CompiledKernel } from '../kernel';
import {
  expectDims,
  expectIds,
  expectSize,
  type IdBuffer,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';
import { compileTransformer, recordOver, transformerKernel } from './define';
import forwardWgsl from './encoderForward.wgsl?raw';
import backwardWteWgsl from './encoderBackwardWte.wgsl?raw';
import backwardWpeWgsl from './encoderBackwardWpe.wgsl?raw';

// Per-word kernels: n, words of the tensor written.
export const encoderForwardKernel = transformerKernel({
  name: 'encoder_forward',
  body: forwardWgsl,
  bindings: { out: 'act rw', wte: 'param', wpe: 'param', tokens: 'u32' },
  uniforms: { n: 'u32', words: 'u32', T: 'u32', C: 'u32' },
});

export const encoderBackwardWteKernel = transformerKernel({
  name: 'encoder_backward_wte',
  body: backwardWteWgsl,
  bindings: { dwte: 'grad rw', dout: 'act', tokens: 'u32' },
  uniforms: { n: 'u32', words: 'u32', N: 'u32', C: 'u32' },
});

export const encoderBackwardWpeKernel = transformerKernel({
  name: 'encoder_backward_wpe',
  body: backwardWpeWgsl,
  bindings: { dwpe: 'grad rw', dout: 'act' },
  uniforms: { n: 'u32', words: 'u32', B: 'u32', T: 'u32', C: 'u32' },
});

export interface EncoderKernels {
  forward: CompiledKernel;
  backwardWte: CompiledKernel;
  backwardWpe: CompiledKernel;
}

export function compileEncoder(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<EncoderKernels> {
  const kernels = {
    forward: encoderForwardKernel,
    backwardWte: encoderBackwardWteKernel,
    backwardWpe: encoderBackwardWpeKernel,
  };
  return compileTransformer(ctx, cache, kernels, v);
}

export interface EncoderSizes {
  B: number;
  T: number;
  C: number;
}

export interface EncoderForwardTensors {
  /** (B,T,C) storage format. */
  out: Tensor;
  /** (B,T) u32 token ids in [0, V). */
  tokens: IdBuffer;
  /** (V,C) */
  wte: Tensor;
  /** (maxT,C), maxT >= T */
  wpe: Tensor;
}

/** Records out = wte[tokens] + wpe[t]; cast events of out go to counting.group. */
export function recordEncoderForward(
  target: Target,
  k: EncoderKernels,
  t: EncoderForwardTensors,
  s: EncoderSizes,
  counting?: KernelCounting,
): void {
  const op = 'encoder forward';
  checkSizes(op, t.tokens, t.wte, t.wpe, s);
  expectSize(op, t.out, s.B * s.T * s.C, 'B*T*C');
  recordOver(target, k.forward, t, { T: s.T, C: s.C }, t.out, counting);
}

export interface EncoderBackwardTensors {
  /** (V,C) overwritten. */
  dwte: Tensor;
  /** (maxT,C) overwritten (rows T..maxT-1 with 0). */
  dwpe: Tensor;
  /** (B,T,C) gradient of the embedding output. */
  dout: Tensor;
  /** (B,T) the forward's token ids. */
  tokens: IdBuffer;
}

/** Records dwte, dwpe from dout; their cast events go to counting.paramGroup (default group). */
export function recordEncoderBackward(
  target: Target,
  k: EncoderKernels,
  t: EncoderBackwardTensors,
  s: EncoderSizes,
  counting?: KernelCounting,
): void {
  const op = 'encoder backward';
  checkSizes(op, t.tokens, t.dwte, t.dwpe, s);
  expectSize(op, t.dout, s.B * s.T * s.C, 'B*T*C');
  const { B, T, C } = s;
  recordOver(target, k.backwardWte, t, { N: B * T, C }, t.dwte, counting, 'paramGroup');
  recordOver(target, k.backwardWpe, t, { B, T, C }, t.dwpe, counting, 'paramGroup');
}

function checkSizes(op: string, tokens: IdBuffer, wte: Tensor, wpe: Tensor, s: EncoderSizes) {
  expectDims(op, { B: s.B, T: s.T, C: s.C });
  expectIds(op, tokens, s.B * s.T, 'tokens (B,T)');
  if (wte.size % s.C !== 0 || wte.size === 0) {
    throw new Error(
      `${op}: the token table "${wte.label}" holds ${wte.size} values, not a whole number of rows of C = ${s.C}.`,
    );
  }
  if (wpe.size % s.C !== 0 || wpe.size < s.T * s.C) {
    throw new Error(
      `${op}: the position table "${wpe.label}" holds ${wpe.size} values; it needs maxT >= T = ${s.T} rows of C = ${s.C}.`,
    );
  }
}
