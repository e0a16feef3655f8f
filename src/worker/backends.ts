/**
 * Which Trainer a run gets. 'cpu' is the reference (src/train/cpuBackend.ts); 'webgpu' is the GPU
 * trainer when the build has one and the browser gives a device, else the CPU reference with a
 * sentence saying why (StatusMessage.fallback), so a run never claims a backend it is not on.
 *
 * The worker owns the GPUDevice: it is acquired once, on the first 'webgpu' run, and shared by
 * later runs until it is lost.
 */
import { acquireDevice, type DeviceLostInfo, type GpuContext } from '../gpu/device';
import { createCpuTrainer } from '../train/cpuBackend';
import { createGpuTrainer } from '../train/gpuBackend';
import type { Trainer } from '../train/trainer';

export type BackendName = 'webgpu' | 'cpu';

/** Builds the WebGPU trainer on the worker's device. */
export type GpuTrainerFactory = (gpu: GpuContext) => Trainer | Promise<Trainer>;

/** The WebGPU trainer of this build (src/train/gpuBackend.ts). */
export const GPU_TRAINER: GpuTrainerFactory | null = createGpuTrainer;

export interface TrainerChoice {
  trainer: Trainer;
  /** Set when `trainer.backend` is not the one asked for: why, in a sentence. */
  fallback?: string;
}

export interface BackendOptions {
  /** Default GPU_TRAINER. */
  gpuTrainer?: GpuTrainerFactory | null;
  /** Default acquireDevice (tests pass a fake). */
  acquire?: (onLost: (info: DeviceLostInfo) => void) => Promise<GpuContext>;
  /** The device went away (not released by the lab): the reason in words. */
  onDeviceLost?: (reason: string) => void;
}

const CPU_INSTEAD = 'This run trains on the CPU reference instead: the same numerics, only slower.';

const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).trim().replace(/[.\s]+$/, '');

export class Backends {
  readonly #gpuTrainer: GpuTrainerFactory | null;
  readonly #acquire: NonNullable<BackendOptions['acquire']>;
  readonly #onDeviceLost: (reason: string) => void;
  #gpu: Promise<GpuContext> | null = null;
  /** Set by loseDevice: the next 'destroyed' loss is a simulated one, reported as lost. */
  #simulating = false;

  constructor(options: BackendOptions = {}) {
    this.#gpuTrainer = options.gpuTrainer === undefined ? GPU_TRAINER : options.gpuTrainer;
    this.#acquire =
      options.acquire ?? ((onLost) => acquireDevice({ onLost, label: 'precision-lab training' }));
    this.#onDeviceLost = options.onDeviceLost ?? (() => {});
  }

  /** Whether a 'webgpu' request can get the GPU trainer in this build (the device may still fail). */
  get hasGpuTrainer(): boolean {
    return this.#gpuTrainer !== null;
  }

  /** A fresh, unconfigured trainer for the requested backend, or the CPU one and the reason. */
  async createTrainer(requested: BackendName): Promise<TrainerChoice> {
    if (requested === 'cpu') return { trainer: createCpuTrainer() };
    const factory = this.#gpuTrainer;
    if (!factory) {
      return {
        trainer: createCpuTrainer(),
        fallback: `The WebGPU backend asked for is not built into this version of the lab yet. ${CPU_INSTEAD}`,
      };
    }
    let gpu: GpuContext;
    try {
      gpu = await this.#device();
    } catch (error) {
      // acquireDevice's sentences already say what to do.
      return {
        trainer: createCpuTrainer(),
        fallback: `WebGPU is not available. ${reasonOf(error)}. ${CPU_INSTEAD}`,
      };
    }
    try {
      return { trainer: await factory(gpu) };
    } catch (error) {
      return {
        trainer: createCpuTrainer(),
        fallback: `The WebGPU trainer could not start: ${reasonOf(error)}. ${CPU_INSTEAD}`,
      };
    }
  }

  #device(): Promise<GpuContext> {
    if (!this.#gpu) {
      const pending = this.#acquire((info) => {
        if (this.#gpu === pending) this.#gpu = null;
        if (this.#simulating && info.reason === 'destroyed') {
          this.#simulating = false;
          this.#onDeviceLost('The GPU device was lost (destroyed): the lab destroyed it on request, as a driver reset or a crashed GPU process would.');
        } else if (info.reason !== 'destroyed') {
          // 'destroyed' otherwise is the lab releasing the device itself.
          this.#onDeviceLost(
            `The GPU device was lost (${info.reason}): ${info.message.trim().replace(/[.\s]+$/, '') || 'the browser gave no reason'}.`,
          );
        }
      });
      this.#gpu = pending;
      pending.catch(() => {
        if (this.#gpu === pending) this.#gpu = null;
      });
    }
    return this.#gpu;
  }

  /** Destroys the device as a loss would (reported through onDeviceLost); false when none is
   * held. */
  async loseDevice(): Promise<boolean> {
    const pending = this.#gpu;
    if (!pending) return false;
    let gpu: GpuContext;
    try {
      gpu = await pending;
    } catch {
      return false;
    }
    this.#simulating = true;
    gpu.device.destroy();
    return true;
  }

  /** Releases the device, if one was acquired. */
  dispose(): void {
    const gpu = this.#gpu;
    this.#gpu = null;
    gpu?.then((g) => g.device.destroy()).catch(() => {});
  }
}
