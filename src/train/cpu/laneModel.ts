/**
 * How a lane's recipe becomes the CPU reference's precision policies, and the list of parameter
 * tensor slices (one per tensor and layer) that norms, pure updates and reports walk.
 */
import { estimateMemory, DEFAULT_INIT_STD, hiddenOf, type MemoryEstimate, type ModelConfig } from '../../model/config';
import {
  F32,
  PARAMETER_NAMES,
  storagePolicy,
  type ModelPrecision,
  type MoeConfig,
  type ParameterKind,
  type ParameterLayout,
  type ParameterName,
} from '../../model/reference';
import { parameterSite } from '../../model/reference/storeGroups';
import type { StoreHook } from '../../model/reference/storeGroups';
import { recipeOf, type LaneConfig } from '../lane';
import { weightTensorName } from '../metrics';

/** The reference's config for a lane: the model's shape with the lane's aux-loss coefficients. */
export function moeConfigOf(model: ModelConfig, lane: LaneConfig, batch = model.batch): MoeConfig {
  return {
    vocab: model.vocab,
    d: model.d,
    layers: model.layers,
    heads: model.heads,
    experts: model.experts,
    topK: model.topK,
    context: model.context,
    batch,
    hidden: hiddenOf(model),
    balanceCoef: lane.balanceCoef,
    zLossCoef: lane.zLossCoef,
  };
}

export const initStdOf = (model: ModelConfig): number => model.initStd ?? DEFAULT_INIT_STD;

/** Whether the lane stores its weights in a low format with no master copy. */
export function isPure(lane: LaneConfig): boolean {
  const r = recipeOf(lane);
  return !r.masterWeights && r.weightsFormat !== 'fp32';
}

/** main: the recipe's storage format; router: f32, or the recipe's low format. */
export function lanePrecision(lane: LaneConfig, hook?: StoreHook): ModelPrecision {
  const recipe = recipeOf(lane);
  return {
    main: storagePolicy(recipe.storageFormat),
    router: lane.router === 'low' ? storagePolicy(recipe.lowFormat) : F32,
    storedWeights: isPure(lane),
    hook,
  };
}

export function laneMemory(model: ModelConfig, lane: LaneConfig): MemoryEstimate {
  const recipe = recipeOf(lane);
  return estimateMemory(model, recipe, lane.router === 'low' ? recipe.lowFormat : 'fp32');
}

export interface TensorSlice {
  /** 'wte', 'layer0.qkvw', ... (metrics' weight-norm names) */
  readonly label: string;
  readonly name: ParameterName;
  readonly kind: ParameterKind;
  readonly site: number;
  readonly offset: number;
  readonly size: number;
}

/** One slice per tensor and layer, in parameter-table order. */
export function tensorSlices(layout: ParameterLayout, L: number): TensorSlice[] {
  const slices: TensorSlice[] = [];
  for (const name of PARAMETER_NAMES) {
    const e = layout.byName[name];
    const size = e.size / e.layers;
    for (let l = 0; l < e.layers; l++) {
      const site = parameterSite(name, l, L);
      const inBlock = site >= 1 && site <= L;
      slices.push({ label: weightTensorName(name, inBlock ? l : null), name, kind: e.kind, site, offset: e.offset + l * size, size });
    }
  }
  return slices;
}
