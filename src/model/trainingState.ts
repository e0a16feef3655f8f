/**
 * A model's training state in plain numbers, the same for the CPU reference and the GPU model:
 * everything it needs to train on from where it is. Weights, moments: the reference's flat
 * parameter layout, exact values (f32 masters, or a pure recipe's stored weights, which f32
 * holds exactly).
 */
export interface TrainingState {
  /** The weights the optimizer updates. */
  weights: Float32Array;
  /** AdamW exp_avg and exp_avg_sq. */
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  /** AdamW steps taken (skipped steps do not count). */
  stepsDone: number;
  /** Loss scale (1 without loss scaling) and clean steps since its last change. */
  scale: number;
  growthTracker: number;
  /** Steps skipped for inf/NaN gradients so far. */
  skippedSteps: number;
}
