/**
 * The optimizer kernel family: AdamW (master, master + low-precision copy, pure low precision),
 * gradient / weight norms with clipping, GradScaler unscale and update, all on GPU state.
 *
 * One training step of a lane, recorded into the step's encoder (no read-back, one submit):
 *   recordUnscale        scaled grads -> f32 grads, foundInf  (fp16-amp only)
 *   recordGradNorm       per-tensor and global norms, inf/NaN flag, clip coefficient
 *   recordGradNorm       the same over the weights, for the weight-norm charts (optional)
 *   recordAdamW / recordAdamWPure   per tensor or per flat buffer; skip when foundInf;
 *                        clipNorm: the coefficient applied to the gradients they read
 *   recordStepEnd        GradScaler update (scaling lanes), step count, clears foundInf
 * State: createOptimizerState (per lane), createAdamWStepTable (per lane's hyperparameters),
 * createNormPlan + createGradNormOutput (per layout), a u32 buffer for lost updates.
 */
export * from './arithmetic';
export * from './optimizerState';
export * from './adamwScalars';
export * from './adamw';
export * from './adamwPure';
export * from './gradNorm';
export * from './unscale';
export * from './clip';
export * from './scalerUpdate';
