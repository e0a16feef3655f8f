/**
 * Dynamic loss scaling, as torch.amp.GradScaler (torch/amp/grad_scaler.py) with its kernels
 * _amp_foreach_non_finite_check_and_unscale_ and _amp_update_scale_
 * (aten/src/ATen/native/cuda/AmpKernels.cu):
 * - the scale is an f32 tensor: init_scale rounded to f32;
 * - inv_scale = scale.double().reciprocal().float();
 * - unscale checks each SCALED gradient for inf/NaN, then multiplies it by inv_scale in f32
 *   (skipped when inv_scale == 1); a finite scaled gradient that overflows while unscaling is
 *   not reported;
 * - update: found_inf -> scale = f32(scale * backoff_factor), tracker = 0; else
 *   tracker + 1 == growth_interval -> new = f32(scale * growth_factor), kept only if finite,
 *   tracker = 0; else tracker + 1. There is no lower bound: backoff can reach subnormals and 0.
 */

export interface GradScalerOptions {
  initScale?: number; // 65536 (2^16)
  growthFactor?: number; // 2
  backoffFactor?: number; // 0.5
  growthInterval?: number; // 2000 clean steps in a row
  enabled?: boolean; // true
}

export interface GradScalerState {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  growthTracker: number;
}

const DEFAULTS = {
  initScale: 2 ** 16,
  growthFactor: 2,
  backoffFactor: 0.5,
  growthInterval: 2000,
  enabled: true,
} as const;

/** A sentence saying what is wrong with the options, or null when they are usable. PyTorch
 * asserts growth_factor > 1 and backoff_factor < 1 when enabled; the rest keeps the f32 scale
 * and the int32 tracker meaningful. */
export function gradScalerOptionsError(options: GradScalerOptions = {}): string | null {
  const o = { ...DEFAULTS, ...options };
  if (!o.enabled) return null;
  if (!(o.growthFactor > 1)) return `GradScaler growthFactor is ${o.growthFactor}; it must be above 1 (PyTorch default 2).`;
  if (!(o.backoffFactor < 1) || !(o.backoffFactor >= 0))
    return `GradScaler backoffFactor is ${o.backoffFactor}; it must be in [0, 1) (PyTorch default 0.5).`;
  if (!Number.isInteger(o.growthInterval) || o.growthInterval < 1 || o.growthInterval > 0x7fffffff)
    return `GradScaler growthInterval is ${o.growthInterval}; it must be a whole number of steps, at least 1 (PyTorch default 2000).`;
  const scale = Math.fround(o.initScale);
  if (!(scale > 0) || !Number.isFinite(scale))
    return `GradScaler initScale is ${o.initScale}; it must be positive and finite in f32 (PyTorch default 65536).`;
  return null;
}

export class GradScaler {
  readonly enabled: boolean;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  #scale: number;
  #growthTracker = 0;

  /** Throws with the sentence of gradScalerOptionsError when the options are unusable; call
   * that first to get the message as a value. */
  constructor(options: GradScalerOptions = {}) {
    const error = gradScalerOptionsError(options);
    if (error) throw new RangeError(error);
    const o = { ...DEFAULTS, ...options };
    this.enabled = o.enabled;
    this.growthFactor = o.growthFactor;
    this.backoffFactor = o.backoffFactor;
    this.growthInterval = o.growthInterval;
    this.#scale = Math.fround(o.initScale);
  }

  /** The current loss scale, an f32 value; 1 when disabled (PyTorch's get_scale). */
  get scale(): number {
    return this.enabled ? this.#scale : 1;
  }

  /** Clean steps in a row since the last growth or backoff. */
  get growthTracker(): number {
    return this.#growthTracker;
  }

  /** (1 / scale) in double, rounded to f32. */
  invScale(): number {
    return Math.fround(1 / this.scale);
  }

  /** The loss times the scale, in f32 (GradScaler.scale(outputs) on an f32 loss). */
  scaleLoss(loss: number): number {
    return this.enabled ? Math.fround(Math.fround(loss) * this.#scale) : loss;
  }

  /** Checks the scaled gradients for inf/NaN, then unscales them in place (g * invScale, f32).
   * Disabled: touches nothing and reports no inf. */
  unscale(grads: Float32Array[]): { foundInf: boolean } {
    if (!this.enabled) return { foundInf: false };
    const invScale = this.invScale();
    let foundInf = false;
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) {
        const v = g[i];
        if (!Number.isFinite(v)) foundInf = true;
        // The Float32Array store rounds the exact double product of two f32 values to f32.
        if (invScale !== 1) g[i] = v * invScale;
      }
    }
    return { foundInf };
  }

  /** The scale update after a step (PyTorch's _amp_update_scale_). No-op when disabled. */
  update(foundInf: boolean): void {
    if (!this.enabled) return;
    if (foundInf) {
      this.#scale = Math.fround(this.#scale * this.backoffFactor);
      this.#growthTracker = 0;
      return;
    }
    const successful = this.#growthTracker + 1;
    if (successful === this.growthInterval) {
      const grown = Math.fround(this.#scale * this.growthFactor);
      if (Number.isFinite(grown)) this.#scale = grown;
      this.#growthTracker = 0;
    } else {
      this.#growthTracker = successful;
    }
  }

  /** Puts back a scale and growth tracker (PyTorch's load_state_dict, for a resumed run). */
  loadState(state: { scale: number; growthTracker: number }): void {
    const scale = Math.fround(state.scale);
    if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`GradScaler state: the scale is ${state.scale}; it must be positive and finite in f32.`);
    if (!(Number.isInteger(state.growthTracker) && state.growthTracker >= 0)) {
      throw new RangeError(`GradScaler state: the growth tracker is ${state.growthTracker}; it must be a whole number, 0 or more.`);
    }
    this.#scale = scale;
    this.#growthTracker = state.growthTracker;
  }

  stateDict(): GradScalerState {
    return {
      scale: this.scale,
      growthFactor: this.growthFactor,
      backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval,
      growthTracker: this.#growthTracker,
    };
  }
}
