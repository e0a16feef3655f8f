/**
 * The matmul family: batched NN/NT/TN matmuls with optional bias (matmul.ts, matmulBackward.ts),
 * the grouped per-expert matmul over variable-length segments (grouped.ts), two kernel variants
 * ('register' for software adapters, 'shared' for GPUs) and the measured chooser (chooser.ts).
 */
export { MATMUL_VARIANTS, workgroupTile } from './descriptors';
export type { MatmulVariant } from './descriptors';
export {
  compileBiasGrad,
  compileMatmul,
  formStrides,
  recordBiasGrad,
  recordMatmulForward,
} from './matmul';
export type { MatmulCounting, MatmulForm, MatmulFormats, MatmulShape } from './matmul';
export { compileMatmulBackward, recordMatmulBackward } from './matmulBackward';
export type {
  MatmulBackwardCounting,
  MatmulBackwardFormats,
  MatmulBackwardKernels,
} from './matmulBackward';
export {
  compileGroupedMatmul,
  compileGroupedMatmulBackward,
  recordGroupedMatmulBackward,
  recordGroupedMatmulForward,
} from './grouped';
export type {
  GroupedBackwardFormats,
  GroupedBackwardKernels,
  GroupedFormats,
  GroupedShape,
} from './grouped';
export { adapterKey, chooseMatmulVariant, clearMatmulChoices } from './chooser';
export type { MatmulChoice } from './chooser';
export { timeRecorded } from './timing';
export type { Timing, TimingMethod } from './timing';
