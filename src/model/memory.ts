/**
 * The buffers a lane allocates, by memory category, with their byte sizes: the one table that
 * both the memory estimate and the adapter-limit check read. Counts follow the CPU reference's
 * allocations (reference/activations.ts); per-layer tensors are one buffer over all L layers.
 * 16-bit values are packed two per u32 word.
 */
import type { FormatName } from '../numerics';
import type { MemoryCategory, MemoryRecipe, ModelConfig } from './config';
import { parameterLayout, resolveConfig } from './reference/parameters';

export interface BufferSize {
  category: MemoryCategory;
  /** What the buffer holds, in words. */
  label: string;
  /** Its shape in shape letters. */
  shape: string;
  /** The config fields that make it large. */
  fields: readonly string[];
  bytes: number;
}

const BYTES: Record<FormatName, number> = { fp32: 4, fp16: 2, bf16: 2, 'fp8-e4m3': 1, 'fp8-e5m2': 1 };

/** Bytes of n values of the format, in whole u32 words. */
export function bytesOf(format: FormatName, n: number): number {
  return Math.ceil((n * BYTES[format]) / 4) * 4;
}

/** Buffers of one lane of a valid config (throws on an invalid one). */
export function memoryBuffers(
  c: ModelConfig,
  recipe: MemoryRecipe,
  routerFormat: FormatName,
): BufferSize[] {
  const layout = parameterLayout(resolveConfig(c));
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V } = c;
  const F = c.hidden ?? 4 * C;
  const N = B * T;
  const R = N * k;
  const P = layout.total;
  const s = recipe.storageFormat;
  const out: BufferSize[] = [];
  const add = (
    category: MemoryCategory,
    label: string,
    shape: string,
    fields: string[],
    bytes: number,
  ): void => {
    if (bytes > 0) out.push({ category, label, shape, fields, bytes });
  };
  const params = ['d', 'layers', 'experts'];

  const sizeOf = (kind: 'matmul' | 'router' | 'f32'): number =>
    layout.entries.filter((e) => e.kind === kind).reduce((n, e) => n + e.size, 0);
  if (recipe.masterWeights) {
    add('master', 'f32 master weights', '(P)', params, bytesOf('fp32', P));
    const cast =
      bytesOf(recipe.matmulFormat, sizeOf('matmul')) +
      (routerFormat !== 'fp32' ? bytesOf(routerFormat, sizeOf('router')) : 0);
    add('weights', 'weights cast for the matmuls', '(P)', params, cast);
    add('grads', 'weight gradients', '(P)', params, bytesOf('fp32', P));
  } else {
    add('weights', 'parameters', '(P)', params, bytesOf(recipe.weightsFormat, P));
    add('grads', 'weight gradients', '(P)', params, bytesOf(recipe.weightsFormat, P));
  }
  add('optimizer', 'AdamW moments m and v', '(2,P)', params, bytesOf('fp32', 2 * P));

  const act = (label: string, shape: string, fields: string[], n: number, f: FormatName = s): void =>
    add('activations', label, shape, fields, bytesOf(f, n));
  const NCL = ['batch', 'context', 'd', 'layers'];
  act('token and position embeddings', '(B,T,C)', ['batch', 'context', 'd'], N * C);
  act('layer norm outputs', '(2,L,B,T,C)', NCL, 2 * L * N * C);
  act('layer norm statistics', '(4,L,B,T)', ['batch', 'context', 'layers'], 4 * L * N, 'fp32');
  act('attention q, k, v', '(L,B,T,3C)', NCL, L * N * 3 * C);
  act('attention scores', '(L,B,H,T,T)', ['batch', 'context', 'heads', 'layers'], L * B * H * T * T);
  act('attention probabilities', '(L,B,H,T,T)', ['batch', 'context', 'heads', 'layers'], L * B * H * T * T);
  act('attention outputs and projections', '(2,L,B,T,C)', NCL, 2 * L * N * C);
  act('residual stream', '(2,L,B,T,C)', NCL, 2 * L * N * C);
  act('router logits and probabilities', '(2,L,B,T,E)', ['batch', 'context', 'experts', 'layers'], 2 * L * N * E, routerFormat);
  act('router log-sum-exp and gates', '(L,B,T,1+k)', ['batch', 'context', 'layers'], L * N * (1 + k), routerFormat);
  act('routing indices and dispatch tables', '(L,B,T,3k)', ['batch', 'context', 'layers'], L * (3 * R + 2 * E + 1), 'fp32');
  act('tokens grouped by expert', '(L,R,C)', [...NCL, 'topK'], L * R * C);
  act('expert hidden activations before and after GELU', '(2,L,R,F)', [...NCL, 'topK', 'hidden'], 2 * L * R * F);
  act('expert outputs and combined outputs', '(L,R+N,C)', [...NCL, 'topK'], L * (R + N) * C);
  act('final layer norm output', '(B,T,C)', ['batch', 'context', 'd'], N * C);
  act('final layer norm statistics and losses', '(3,B,T)', ['batch', 'context'], 3 * N, 'fp32');
  act('logits', '(B,T,V)', ['batch', 'context', 'vocab'], N * V);
  act('softmax probabilities', '(B,T,V)', ['batch', 'context', 'vocab'], N * V, 'fp32');

  const grad = (label: string, shape: string, fields: string[], n: number, f: FormatName = s): void =>
    add('activation_grads', label, shape, fields, bytesOf(f, n));
  const NC = ['batch', 'context', 'd'];
  grad('residual and layer norm gradients', '(2,B,T,C)', NC, 2 * N * C);
  grad('logit gradients', '(B,T,V)', ['batch', 'context', 'vocab'], N * V);
  grad('attention gradients', '(B,T,4C)', NC, N * 4 * C);
  grad('attention score gradients', '(2,B,H,T,T)', ['batch', 'context', 'heads'], 2 * B * H * T * T);
  grad('expert gradients', '(2,R,C)', [...NC, 'topK'], 2 * R * C);
  grad('expert hidden gradients', '(2,R,F)', [...NC, 'topK', 'hidden'], 2 * R * F);
  grad('router gradients', '(B,T,k+2E+C)', [...NC, 'experts'], N * (k + 2 * E + C), routerFormat);
  return out;
}
