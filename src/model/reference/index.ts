/**
 * CPU reference of the MoE transformer: every op as a forward/backward pair under an explicit
 * precision policy (precision.ts), and the composite model (moeTransformer.ts). The WebGPU
 * kernels are checked against these, and they are the CPU training backend.
 */
export { F32, F64, addInto, castInto, residualForward, storagePolicy } from './precision';
export type { Buf, Precision } from './precision';
export { encoderBackward, encoderForward } from './embedding';
export { LAYER_NORM_EPS, layerNormBackward, layerNormForward } from './layerNorm';
export { biasBackward, matmulBackward, matmulForward } from './matmul';
export type { MatmulForm } from './matmul';
export { attentionBackward, attentionForward } from './attention';
export { geluBackward, geluForward } from './gelu';
export { routerBackward, routerForward } from './router';
export { createDispatch, dispatchForward, gatherBackward, gatherForward } from './dispatch';
export type { Dispatch } from './dispatch';
export { groupedMatmulBackward, groupedMatmulForward } from './groupedMatmul';
export { combineBackward, combineForward } from './combine';
export { crossEntropyBackward, crossEntropyForward } from './crossEntropy';
export {
  loadBalanceBackward,
  loadBalanceForward,
  zLossBackward,
  zLossForward,
} from './routerLosses';
export { adamwStep, adamwStepPure } from './adamw';
export type { AdamWOptions, PureAdamWOptions } from './adamw';
export { clipByGlobalNorm, globalNorm, gradNorms, unscaleGrads } from './gradNorm';
export type { GradNormResult, TensorSpan } from './gradNorm';
export {
  PARAMETER_NAMES,
  initParameters,
  moeConfigError,
  parameterLayout,
  parameterViews,
  resolveConfig,
} from './parameters';
export type {
  MoeConfig,
  ParameterEntry,
  ParameterKind,
  ParameterLayout,
  ParameterName,
  ParameterViews,
  ResolvedMoeConfig,
} from './parameters';
export { castWeights, createMoeModel, moeBackward, moeForward } from './moeTransformer';
export { TENSOR_GROUPS, groupPolicies, layerSite, parameterSite, siteNames } from './storeGroups';
export type { GroupPolicies, StoreHook, TensorGroup } from './storeGroups';
export type { ModelPrecision, MoeLosses, MoeModel } from './moeTransformer';
