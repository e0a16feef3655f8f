/**
 * The Trainer on WebGPU (the worker's 'webgpu' backend): src/train/gpu/gpuTrainer.ts. Frames
 * carry the same fields as the CPU backend's (cpuBackend.ts); numbers agree within each
 * recipe's tolerance (e2e/gpu-trainer.spec.ts).
 */
export { GpuTrainer, createGpuTrainer } from './gpu';
export type { GpuTrainerOptions } from './gpu';
