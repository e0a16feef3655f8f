/**
 * The MoE transformer on the GPU as a sequence of kernel launches (the twin of
 * src/model/reference/moeTransformer.ts), with its optimizer step and metrics on the GPU.
 *   GpuMoeModel.create(ctx, cache, pool, config, policy, options)   model.ts
 *   modelPolicy(recipe, lane) -> ModelPolicy                         policy.ts
 *   read* helpers: explicit read-back for tests and diagnostics      readState.ts
 */
export { GpuMoeModel, MODEL_MEMORY_CATEGORIES } from './model';
export type { GpuModelOptions, MetricBuffers, ModelMemoryCategory } from './model';
export type { OptimizerHyper } from './optimizer';
export { castsWeights, isPurePolicy, modelPolicy, modelPolicyError } from './policy';
export type { LanePrecisionSettings, ModelPolicy, RecipeData, ScalerSettings } from './policy';
export { CounterGroups } from './counters';
export type { EventCountTable } from './counters';
export { LOSS_SLOT, lossWords } from './kernels';
export { VIEW_ALIGN } from './views';
export type { GpuSlice } from './layout';
export * from './readState';
