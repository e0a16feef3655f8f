/**
 * The training layer: recipes and lanes as data, presets, the metrics frame every backend
 * produces and its CSV/JSON exports, the Trainer contract and its CPU-reference backend.
 */
export { RECIPES, RECIPE_NAMES, GRAD_SCALER_DEFAULTS, gradScalerOptions, isRecipeName } from './recipes';
export type { GradScalerConfig, Recipe, RecipeName } from './recipes';
export { LANE_DEFAULTS, lrAt, makeLane, recipeOf, scalerConfig, validateLane, validateLanes } from './lane';
export type { LaneConfig, LrSchedule } from './lane';
export { PRESETS, presetById } from './presets';
export type { Preset } from './presets';
export {
  COUNTED_EVENTS,
  GRAD_HISTOGRAM_BINS,
  GRAD_HISTOGRAM_RANGE,
  TENSOR_GROUPS,
  emptyEventTable,
  weightTensorName,
} from './metrics';
export type {
  CountedEvent,
  Divergence,
  EventTable,
  GradHistogram,
  MetricsFrame,
  TensorGroup,
  TextSample,
} from './metrics';
export {
  CSV_COLUMNS,
  eventMetric,
  expertLoadMetric,
  frameToRows,
  gradHistMetric,
  memoryMetric,
  toCsv,
  weightNormMetric,
} from './csv';
export type { CsvRow, RowOptions } from './csv';
export { buildRunDocument, runDocumentJson } from './runDocument';
export type { RunDescription, RunDocument, Series } from './runDocument';
export { DEFAULT_METRICS_SCHEDULE, validateRun } from './trainer';
export type {
  ConfigureResult,
  LaneState,
  LaneStatus,
  MetricsSchedule,
  RunConfig,
  Trainer,
  TrainerStatus,
} from './trainer';
export { CpuTrainer, createCpuTrainer } from './cpuBackend';
