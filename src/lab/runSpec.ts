/**
 * What `npm run lab` runs: a preset or a run file, turned into the RunConfig the worker takes,
 * with every problem as one sentence. Pure TS (no DOM): scripts/lab.mjs loads it in Node to check
 * the arguments before it starts a browser, and the page receives the resolved spec.
 *
 * A run file is JSON (all fields optional except what the preset does not give):
 *   {
 *     "preset": "fp16-without-loss-scaling",   // start from a preset's lanes, model and dataset
 *     "title": "My experiment",
 *     "dataset": "shakespeare" | "synthetic",
 *     "model": "tiny" | "default" | { "size": "tiny", "d": 64, ... },   // vocab comes from the data
 *     "lanes": [ { "recipe": "fp16-amp", "lr": 1e-3, ... }, ... ],      // LaneConfig, defaults filled in
 *     "dataSeed": 1337,
 *     "metrics": { "heldoutEvery": 10, ... },  // over DEFAULT_METRICS_SCHEDULE
 *     "steps": 200
 *   }
 */
import {
  DEFAULT_DATA_OPTIONS,
  DATASET_NAMES,
  isDatasetName,
  type CorpusSource,
  type Dataset,
  type DatasetName,
  type Result,
} from '../data';
import {
  MODEL_SIZE_NAMES,
  MODEL_SIZES,
  type ModelConfig,
  type ModelShape,
  type ModelSizeName,
} from '../model/config';
import { makeLane, type LaneConfig } from '../train/lane';
import { PRESETS, presetById } from '../train/presets';
import { RECIPE_NAMES, isRecipeName } from '../train/recipes';
import {
  DEFAULT_METRICS_SCHEDULE,
  validateRun,
  type MetricsSchedule,
  type RunConfig,
} from '../train/trainer';
import { DatasetCache } from '../worker/datasets';

export type BackendName = 'webgpu' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgpu', 'cpu'];

/** The runner's arguments as given on the command line (strings), and the run file's text. */
export interface RunnerArgs {
  preset?: string;
  /** Path of the run file, as given (names it in messages). */
  configPath?: string;
  configText?: string;
  steps?: string;
  backend?: string;
  model?: string;
}

export interface RunSpec {
  /** Preset id or run file name: names the output folder. */
  name: string;
  title: string;
  run: RunConfig;
  dataset: DatasetName;
  backend: BackendName;
  steps: number;
}

export type OpenDataset = (name: DatasetName, seed: number) => Promise<Result<Dataset>>;

export const DEFAULT_PRESET = PRESETS[0].id;
export const DEFAULT_STEPS = 100;
export const MAX_STEPS = 1_000_000;

// prettier-ignore
const FILE_FIELDS = ['preset', 'title', 'dataset', 'model', 'lanes', 'dataSeed', 'metrics', 'steps'] as const;
// prettier-ignore
const MODEL_FIELDS = ['size', 'vocab', 'd', 'layers', 'heads', 'experts', 'topK', 'context', 'batch', 'hidden', 'initStd'] as const;
// prettier-ignore
const LANE_FIELDS = [
  'id', 'label', 'recipe', 'stochasticRounding', 'router', 'lr', 'schedule', 'gradClip', 'balanceCoef',
  'zLossCoef', 'seed', 'scaler', 'weightDecay', 'beta1', 'beta2', 'eps',
] as const satisfies readonly (keyof LaneConfig)[];
const METRICS_FIELDS = Object.keys(DEFAULT_METRICS_SCHEDULE) as (keyof MetricsSchedule)[];

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/** Presets as `id  title` lines, for --list. */
export function presetLines(): string[] {
  const width = Math.max(...PRESETS.map((p) => p.id.length));
  return PRESETS.map((p) => `${p.id.padEnd(width)}  ${p.title}`);
}

/** A sentence naming a field that is not one of `known`, or null. */
function unknownField(
  where: string,
  object: Record<string, unknown>,
  known: readonly string[],
): string | null {
  const extra = Object.keys(object).filter((k) => !known.includes(k));
  if (extra.length === 0) return null;
  return `${where} has the unknown field${extra.length > 1 ? 's' : ''} ${quoted(extra)}; the known ones are ${known.join(', ')}.`;
}

function parseSteps(text: string): Result<number> {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_STEPS) {
    return {
      ok: false,
      message: `--steps is "${text}"; give a whole number of steps from 1 to ${MAX_STEPS}.`,
    };
  }
  return { ok: true, value: n };
}

interface Draft {
  name: string;
  title: string;
  dataset: unknown;
  model: unknown;
  lanes: unknown;
  dataSeed: unknown;
  metrics: Partial<MetricsSchedule>;
  steps: number | undefined;
}

function fromPreset(id: string): Result<Draft> {
  const preset = presetById(id);
  if (!preset) {
    return {
      ok: false,
      message: `There is no preset "${id}"; the presets are ${PRESETS.map((p) => p.id).join(', ')} (--list shows their titles).`,
    };
  }
  return {
    ok: true,
    value: {
      name: preset.id,
      title: preset.title,
      dataset: preset.dataset,
      model: preset.model,
      lanes: preset.lanes,
      dataSeed: DEFAULT_DATA_OPTIONS.seed,
      metrics: {},
      steps: preset.suggestedSteps,
    },
  };
}

function fromFile(path: string, text: string): Result<Draft> {
  const where = `The run file ${path}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `${where} is not valid JSON: ${(error as Error).message.replace(/[.\s]+$/, '')}.`,
    };
  }
  if (!isObject(json))
    return {
      ok: false,
      message: `${where} holds ${Array.isArray(json) ? 'a list' : String(json)}; it must be one JSON object with the lanes (and optionally preset, model, dataset, metrics, steps).`,
    };
  const unknown = unknownField(where, json, FILE_FIELDS);
  if (unknown) return { ok: false, message: unknown };
  const base: Result<Draft> =
    json.preset === undefined
      ? {
          ok: true,
          value: {
            name: path.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''),
            title: '',
            dataset: 'shakespeare',
            model: 'default',
            lanes: undefined,
            dataSeed: DEFAULT_DATA_OPTIONS.seed,
            metrics: {},
            steps: undefined,
          },
        }
      : typeof json.preset === 'string'
        ? fromPreset(json.preset)
        : { ok: false, message: `${where}: "preset" must be a preset id string.` };
  if (!base.ok) return base;
  const draft = base.value;
  if (json.preset !== undefined) draft.name = path.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  if (json.title !== undefined) {
    if (typeof json.title !== 'string')
      return { ok: false, message: `${where}: "title" must be a string.` };
    draft.title = json.title;
  }
  if (!draft.title) draft.title = draft.name;
  if (json.dataset !== undefined) draft.dataset = json.dataset;
  if (json.model !== undefined) draft.model = json.model;
  if (json.lanes !== undefined) draft.lanes = json.lanes;
  if (json.dataSeed !== undefined) draft.dataSeed = json.dataSeed;
  if (json.metrics !== undefined) {
    if (!isObject(json.metrics))
      return {
        ok: false,
        message: `${where}: "metrics" must be an object such as {"heldoutEvery": 10}.`,
      };
    const bad = unknownField(`${where}'s "metrics"`, json.metrics, METRICS_FIELDS);
    if (bad) return { ok: false, message: bad };
    draft.metrics = json.metrics as Partial<MetricsSchedule>;
  }
  if (json.steps !== undefined) {
    if (!(
      Number.isSafeInteger(json.steps) &&
      (json.steps as number) >= 1 &&
      (json.steps as number) <= MAX_STEPS
    )) {
      return {
        ok: false,
        message: `${where}: "steps" is ${JSON.stringify(json.steps)}; give a whole number from 1 to ${MAX_STEPS}.`,
      };
    }
    draft.steps = json.steps as number;
  }
  return { ok: true, value: draft };
}

/** The model shape (without vocab, unless the file gave one) from a size name or an object. */
function shapeOf(
  model: unknown,
  sizeOverride: ModelSizeName | undefined,
): Result<Partial<ModelConfig> & ModelShape> {
  if (typeof model === 'string') {
    if (!(MODEL_SIZE_NAMES as readonly string[]).includes(model))
      return {
        ok: false,
        message: `The model size is "${model}"; use ${quoted(MODEL_SIZE_NAMES)} or an object of ModelConfig fields.`,
      };
    return { ok: true, value: { ...MODEL_SIZES[sizeOverride ?? (model as ModelSizeName)] } };
  }
  if (!isObject(model))
    return {
      ok: false,
      message: `The model is ${JSON.stringify(model)}; use ${quoted(MODEL_SIZE_NAMES)} or an object such as {"size": "tiny", "d": 64}.`,
    };
  const bad = unknownField('The model', model, MODEL_FIELDS);
  if (bad) return { ok: false, message: bad };
  const { size = 'default', ...fields } = model;
  if (!(MODEL_SIZE_NAMES as readonly string[]).includes(size as string))
    return {
      ok: false,
      message: `The model's "size" is ${JSON.stringify(size)}; use ${quoted(MODEL_SIZE_NAMES)}.`,
    };
  return {
    ok: true,
    value: {
      ...MODEL_SIZES[sizeOverride ?? (size as ModelSizeName)],
      ...fields,
    } as Partial<ModelConfig> & ModelShape,
  };
}

function lanesOf(lanes: unknown): Result<LaneConfig[]> {
  if (!Array.isArray(lanes) || lanes.length === 0) {
    return {
      ok: false,
      message: `The run has no "lanes"; give a list such as [{"recipe": "fp32"}, {"recipe": "fp16-amp"}] (recipes: ${RECIPE_NAMES.join(', ')}).`,
    };
  }
  const out: LaneConfig[] = [];
  for (const [i, lane] of lanes.entries()) {
    const where = `Lane ${i + 1}`;
    if (!isObject(lane))
      return {
        ok: false,
        message: `${where} is ${JSON.stringify(lane)}; each lane is an object with at least a "recipe".`,
      };
    const bad = unknownField(where, lane, LANE_FIELDS);
    if (bad) return { ok: false, message: bad };
    if (!isRecipeName(lane.recipe))
      return {
        ok: false,
        message: `${where}'s recipe is ${JSON.stringify(lane.recipe)}; use one of ${RECIPE_NAMES.join(', ')}.`,
      };
    out.push(makeLane(lane.recipe, lane as Partial<LaneConfig>));
  }
  return { ok: true, value: out };
}

/**
 * The run the arguments ask for, checked all the way (validateRun against the opened dataset), or
 * the one line that says what is wrong.
 */
export async function resolveRunSpec(
  args: RunnerArgs,
  open: OpenDataset,
): Promise<Result<RunSpec>> {
  if (args.preset !== undefined && args.configPath !== undefined) {
    return {
      ok: false,
      message:
        'Give either --preset or --config, not both (a run file can name a preset to start from).',
    };
  }
  let backend: BackendName = 'webgpu';
  if (args.backend !== undefined) {
    if (!(BACKENDS as readonly string[]).includes(args.backend))
      return { ok: false, message: `--backend is "${args.backend}"; use webgpu or cpu.` };
    backend = args.backend as BackendName;
  }
  let size: ModelSizeName | undefined;
  if (args.model !== undefined) {
    if (!(MODEL_SIZE_NAMES as readonly string[]).includes(args.model))
      return {
        ok: false,
        message: `--model is "${args.model}"; use ${MODEL_SIZE_NAMES.join(' or ')}.`,
      };
    size = args.model as ModelSizeName;
  }
  let steps: number | undefined;
  if (args.steps !== undefined) {
    const parsed = parseSteps(args.steps);
    if (!parsed.ok) return parsed;
    steps = parsed.value;
  }
  const drafted =
    args.configPath !== undefined
      ? fromFile(args.configPath, args.configText ?? '')
      : fromPreset(args.preset ?? DEFAULT_PRESET);
  if (!drafted.ok) return drafted;
  const draft = drafted.value;

  if (!isDatasetName(draft.dataset))
    return {
      ok: false,
      message: `The dataset is ${JSON.stringify(draft.dataset)}; use ${quoted(DATASET_NAMES)}.`,
    };
  const shape = shapeOf(draft.model, size);
  if (!shape.ok) return shape;
  const lanes = lanesOf(draft.lanes);
  if (!lanes.ok) return lanes;
  const dataSeed = draft.dataSeed as number;
  const data = await open(draft.dataset, dataSeed);
  if (!data.ok) return data;
  const { vocab, ...rest } = shape.value;
  const run: RunConfig = {
    model: { ...rest, vocab: vocab ?? data.value.vocab },
    lanes: lanes.value,
    dataSeed,
    metrics: { ...DEFAULT_METRICS_SCHEDULE, ...draft.metrics },
  };
  const errors = validateRun(run, data.value);
  if (errors.length > 0) {
    const what =
      args.configPath !== undefined
        ? `The run file ${args.configPath}`
        : `The preset ${draft.name}`;
    return {
      ok: false,
      message: `${what} is not a usable run (${errors.length} problem${errors.length > 1 ? 's' : ''}): ${errors.join(' ')}`,
    };
  }
  return {
    ok: true,
    value: {
      name: draft.name,
      title: draft.title,
      run,
      dataset: draft.dataset,
      backend,
      steps: steps ?? draft.steps ?? DEFAULT_STEPS,
    },
  };
}

/** Opens datasets for resolveRunSpec from a corpus source (Node passes a reader of public/). */
export function datasetOpener(source: CorpusSource = {}): OpenDataset {
  const cache = new DatasetCache(source);
  return (name, seed) => cache.open(name, seed);
}
