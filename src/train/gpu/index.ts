/**
 * The WebGPU training backend: GpuTrainer (gpuTrainer.ts) over GpuMoeModel lanes, the metrics
 * read-back ring, the gradient histogram kernel, step timing and CPU-side text samples.
 */
export { GpuTrainer, createGpuTrainer } from './gpuTrainer';
export type { GpuTrainerOptions } from './gpuTrainer';
export type { GpuCallCounts } from './ring';
export { decodeLaneFrame } from './laneFrame';
export type { LaneMeta } from './laneFrame';
export { divergenceOf, executionOrder, firstNonFinite } from './divergence';
export { HIST, gradHistogramKernel, decodeGradHistogram } from './kernels/gradHistogram';
