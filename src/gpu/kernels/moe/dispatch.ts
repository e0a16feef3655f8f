/**
 * Dropless MoE dispatch on the GPU (reference: model/reference/dispatch.ts, dispatchForward):
 * from topIdx (N,k) u32, the expert load counts (E), exclusive prefix offsets (E+1), and the
 * grouped rows ordered by expert, then token ascending: tokenOf (R), rowOf (N,k), R = N*k.
 * Deterministic without atomics: a stable counting sort in two passes over chunks of
 * DISPATCH_CHUNK assignments, one invocation per (chunk, expert). All buffers u32, on the GPU:
 * nothing is read back; counts is the layer's expert load, which the training loop copies into
 * its metrics ring.
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { BufferPool } from '../../tensor';
import type { Bindable, CompiledKernel } from '../kernel';
import dispatchCountWgsl from './dispatchCount.wgsl?raw';
import dispatchPlaceWgsl from './dispatchPlace.wgsl?raw';
import { compileMoeKernels, launchMoe, moeKernel } from './factory';
import { checkCount, checkRouting, checkSize } from './shared';

/** Assignments per chunk: one invocation scans this many per expert. */
export const DISPATCH_CHUNK = 256;

// work = [chunks * E].
export const dispatchCountKernel = moeKernel({
  name: 'moe_dispatch_count',
  body: dispatchCountWgsl,
  bindings: { topIdx: 'u32', chunkCounts: 'u32 rw' },
  uniforms: { assignments: 'u32', E: 'u32', chunk: 'u32', chunks: 'u32' },
  workgroup: 64,
});

export const dispatchPlaceKernel = moeKernel({
  name: 'moe_dispatch_place',
  body: dispatchPlaceWgsl,
  bindings: {
    topIdx: 'u32',
    chunkCounts: 'u32',
    counts: 'u32 rw',
    offsets: 'u32 rw',
    tokenOf: 'u32 rw',
    rowOf: 'u32 rw',
  },
  uniforms: { assignments: 'u32', E: 'u32', k: 'u32', chunk: 'u32', chunks: 'u32' },
  workgroup: 64,
});

/** One MoE layer's routing bookkeeping on the GPU (all u32). */
export interface GpuDispatch {
  readonly N: number;
  readonly E: number;
  readonly k: number;
  /** (E) assignments per expert: the expert load. */
  readonly counts: GPUBuffer;
  /** (E+1) exclusive prefix sums of counts; offsets[E] = N*k. */
  readonly offsets: GPUBuffer;
  /** (R) token of each grouped row. */
  readonly tokenOf: GPUBuffer;
  /** (N,k) grouped row of each (token, slot). */
  readonly rowOf: GPUBuffer;
  /** (chunks, E) scratch of the first pass. */
  readonly chunkCounts: GPUBuffer;
}

export function dispatchChunks(N: number, k: number): number {
  return Math.max(1, Math.ceil((N * k) / DISPATCH_CHUNK));
}

/** Allocates a layer's dispatch buffers from the pool ('activations'). */
export function createGpuDispatch(
  pool: BufferPool,
  sizes: { N: number; E: number; k: number },
  label = 'moe dispatch',
): GpuDispatch {
  const { N, E, k } = sizes;
  checkCount('dispatch', 'N', N);
  checkRouting('dispatch', E, k);
  const u32s = (n: number, what: string) =>
    pool.acquire({ label: `${label} ${what}`, byteLength: n * 4, category: 'activations' });
  return {
    N,
    E,
    k,
    counts: u32s(E, 'counts'),
    offsets: u32s(E + 1, 'offsets'),
    tokenOf: u32s(N * k, 'tokenOf'),
    rowOf: u32s(N * k, 'rowOf'),
    chunkCounts: u32s(dispatchChunks(N, k) * E, 'chunk counts'),
  };
}

export function releaseGpuDispatch(pool: BufferPool, d: GpuDispatch): void {
  for (const b of [d.counts, d.offsets, d.tokenOf, d.rowOf, d.chunkCounts]) pool.release(b);
}

export interface DispatchKernels {
  count: CompiledKernel;
  place: CompiledKernel;
}

export function compileDispatch(ctx: GpuContext, cache: PipelineCache): Promise<DispatchKernels> {
  const kernels = { count: dispatchCountKernel, place: dispatchPlaceKernel };
  return compileMoeKernels(ctx, cache, 'dispatch', kernels, {});
}

/** d.counts, offsets, tokenOf, rowOf <- topIdx (N,k) u32 (two passes, each its own compute pass). */
export function recordDispatchForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: DispatchKernels,
  topIdx: Bindable,
  d: GpuDispatch,
): void {
  checkSize('dispatch', 'topIdx', topIdx, d.N * d.k);
  const chunks = dispatchChunks(d.N, d.k);
  const uniforms = { assignments: d.N * d.k, E: d.E, k: d.k, chunk: DISPATCH_CHUNK, chunks };
  const work = [chunks * d.E];
  const { chunkCounts, counts, offsets, tokenOf, rowOf } = d;
  launchMoe(target, kernels.count, { buffers: { topIdx, chunkCounts }, uniforms, work });
  launchMoe(target, kernels.place, {
    buffers: { topIdx, chunkCounts, counts, offsets, tokenOf, rowOf },
    uniforms,
    work,
  });
}
