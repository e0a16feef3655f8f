/**
 * One lane in the URL: `lane=<recipe>,key:value,...`, e.g.
 *   lane=fp16-amp,lr:0.01,clip:off,growth_interval:50
 *   lane=bf16-pure,id:bf16-pure-sr,name:Pure+BF16%252C+SR,sr:1  (name "Pure BF16, SR")
 * Keys are written only where the lane differs from makeLane(recipe) (and the palette colour of
 * its place), so preset links stay short. GradScaler keys use PyTorch's argument names. Each key
 * is checked by applying it and asking lane.ts's validateLane; a value it rejects is ignored and
 * its sentence becomes the notice.
 */
import { clip, defaultColours, isHexColour, type LaneEntry } from '../../store';
import { makeLane, validateLane, type LaneConfig, type LrSchedule } from '../../train/lane';
import { isRecipeName, RECIPE_NAMES, RECIPES, type GradScalerConfig } from '../../train/recipes';

type Read = { ok: true; patch: Partial<LaneConfig> | { colour: string } } | { ok: false; message: string };

interface LaneKey {
  key: string;
  /** What the value means, for the notice. */
  what: string;
  read(text: string, lane: LaneConfig): Read;
  /** The value's text, or null where the lane has the default. */
  write(lane: LaneConfig, colour: string, defaultColour: string): string | null;
}

const num = (text: string): number | null => {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isNaN(v) ? null : v;
};

function numberKey(key: string, field: 'lr' | 'balanceCoef' | 'zLossCoef' | 'seed' | 'weightDecay' | 'beta1' | 'beta2' | 'eps', what: string): LaneKey {
  return {
    key,
    what,
    read: (text) => {
      const v = num(text);
      return v === null ? { ok: false, message: `“${clip(text)}” is not a number` } : { ok: true, patch: { [field]: v } };
    },
    write: (lane) => {
      const value = lane[field];
      const def = (makeLane(lane.recipe) as Partial<LaneConfig>)[field];
      return value === undefined || value === def ? null : String(value);
    },
  };
}

function scalerKey(key: keyof Omit<GradScalerConfig, 'enabled'>): LaneKey {
  return {
    key,
    what: `GradScaler ${key}`,
    read: (text, lane) => {
      const v = num(text);
      return v === null
        ? { ok: false, message: `“${clip(text)}” is not a number` }
        : { ok: true, patch: { scaler: { ...lane.scaler, [key]: v } } };
    },
    write: (lane) => {
      const v = lane.scaler?.[key];
      return v === undefined || v === RECIPES[lane.recipe].lossScaling[key] ? null : String(v);
    },
  };
}

function writeSchedule(s: LrSchedule): string {
  return s.kind === 'constant' ? 'constant' : `cosine:${s.warmupSteps}:${s.totalSteps}:${s.minLr}`;
}

function readSchedule(text: string): Read {
  if (text === 'constant') return { ok: true, patch: { schedule: { kind: 'constant' } } };
  const m = /^cosine:([^:]+):([^:]+):([^:]+)$/.exec(text);
  const parts = m ? [num(m[1]), num(m[2]), num(m[3])] : [];
  if (!m || parts.some((p) => p === null)) {
    return { ok: false, message: `“${clip(text)}” is not a schedule (write constant, or cosine:<warmup steps>:<total steps>:<min lr>)` };
  }
  const [warmupSteps, totalSteps, minLr] = parts as number[];
  return { ok: true, patch: { schedule: { kind: 'warmup-cosine', warmupSteps, totalSteps, minLr } } };
}

const LANE_KEYS: readonly LaneKey[] = [
  {
    key: 'id',
    what: 'lane id',
    read: (text) => ({ ok: true, patch: { id: text } }),
    write: () => null, // written first, by encodeLane, when it is not the recipe's name
  },
  {
    key: 'name',
    what: 'lane name',
    read: (text) =>
      text.length > 80 ? { ok: false, message: 'the name is longer than 80 characters' } : { ok: true, patch: { label: text } },
    write: (lane) => (lane.label ? lane.label : null),
  },
  {
    key: 'c',
    what: 'colour',
    read: (text) =>
      isHexColour(`#${text}`)
        ? { ok: true, patch: { colour: `#${text.toLowerCase()}` } }
        : { ok: false, message: `“${clip(text)}” is not a colour (six hex digits, e.g. d55e00)` },
    write: (_lane, colour, defaultColour) => (colour === defaultColour ? null : colour.slice(1)),
  },
  {
    key: 'router',
    what: 'router precision',
    read: (text) =>
      text === 'f32' || text === 'low' ? { ok: true, patch: { router: text } } : { ok: false, message: `“${clip(text)}” is not a router precision (f32 or low)` },
    write: (lane) => (lane.router === 'f32' ? null : lane.router),
  },
  numberKey('lr', 'lr', 'learning rate'),
  {
    key: 'sched',
    what: 'learning-rate schedule',
    read: (text) => readSchedule(text),
    write: (lane) => (lane.schedule.kind === 'constant' ? null : writeSchedule(lane.schedule)),
  },
  {
    key: 'clip',
    what: 'gradient clipping',
    read: (text) => {
      if (text === 'off') return { ok: true, patch: { gradClip: null } };
      const v = num(text);
      return v === null ? { ok: false, message: `“${clip(text)}” is not a norm (a number, or off)` } : { ok: true, patch: { gradClip: v } };
    },
    write: (lane) => (lane.gradClip === makeLane(lane.recipe).gradClip ? null : lane.gradClip === null ? 'off' : String(lane.gradClip)),
  },
  numberKey('aux', 'balanceCoef', 'load-balancing coefficient'),
  numberKey('z', 'zLossCoef', 'router z-loss coefficient'),
  numberKey('seed', 'seed', 'seed'),
  {
    key: 'sr',
    what: 'stochastic rounding',
    read: (text) =>
      text === '1' || text === '0' ? { ok: true, patch: { stochasticRounding: text === '1' } } : { ok: false, message: `“${clip(text)}” is not 1 or 0` },
    write: (lane) => (lane.stochasticRounding ? '1' : null),
  },
  {
    key: 'scaler',
    what: 'GradScaler enabled',
    read: (text, lane) =>
      text === 'on' || text === 'off'
        ? { ok: true, patch: { scaler: { ...lane.scaler, enabled: text === 'on' } } }
        : { ok: false, message: `“${clip(text)}” is not on or off` },
    write: (lane) => {
      const v = lane.scaler?.enabled;
      return v === undefined || v === RECIPES[lane.recipe].lossScaling.enabled ? null : v ? 'on' : 'off';
    },
  },
  scalerKey('init_scale'),
  scalerKey('growth_factor'),
  scalerKey('backoff_factor'),
  scalerKey('growth_interval'),
  numberKey('wd', 'weightDecay', 'weight decay'),
  numberKey('beta1', 'beta1', 'AdamW beta1'),
  numberKey('beta2', 'beta2', 'AdamW beta2'),
  numberKey('eps', 'eps', 'AdamW eps'),
];

const KEY_NAMES = LANE_KEYS.map((k) => k.key);

/** Names may hold the separators: those (and '%') travel percent-encoded inside the value. */
const escape = (s: string): string => s.replace(/[%,:]/g, (c) => encodeURIComponent(c));

export function encodeLane(entry: LaneEntry, index: number, count: number): string {
  const { config, colour } = entry;
  const parts: string[] = [config.recipe];
  if (config.id !== config.recipe) parts.push(`id:${escape(config.id)}`);
  const defaultColour = defaultColours(count)[index];
  for (const k of LANE_KEYS) {
    const text = k.write(config, colour, defaultColour);
    if (text !== null) parts.push(`${k.key}:${escape(text)}`);
  }
  return parts.join(',');
}

export interface DecodedLane {
  /** The lane; its colour is the palette colour of `index` unless the link gave one (`colourGiven`). */
  entry: LaneEntry | null;
  colourGiven: boolean;
  /** Ignored parts, one sentence each. */
  notices: string[];
  /** The id was given explicitly (a repeat is then the link's fault, and said). */
  explicitId: boolean;
}

/** A lane from its URL text; settings that do not read or that validateLane rejects are
 * ignored with a notice; an unknown recipe drops the lane. */
export function decodeLane(text: string, index: number, count: number): DecodedLane {
  const where = `The link's lane ${index + 1} (“${clip(text)}”)`;
  const [recipe, ...pairs] = text.split(',');
  if (!isRecipeName(recipe)) {
    return {
      entry: null,
      notices: [`${where}: “${clip(recipe)}” is not a recipe (known: ${RECIPE_NAMES.join(', ')}); the lane was left out.`],
      explicitId: false,
      colourGiven: false,
    };
  }
  let lane = makeLane(recipe);
  let colour = defaultColours(count)[index];
  let colourGiven = false;
  let explicitId = false;
  const notices: string[] = [];
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    const key = colon < 0 ? pair : pair.slice(0, colon);
    let value: string;
    try {
      value = decodeURIComponent(colon < 0 ? '' : pair.slice(colon + 1));
    } catch {
      notices.push(`${where}: the value of ${clip(key)} is not readable text; it was ignored.`);
      continue;
    }
    const k = LANE_KEYS.find((x) => x.key === key);
    if (!k) {
      notices.push(`${where}: “${clip(key)}” is not a lane setting (known: ${KEY_NAMES.join(', ')}); it was ignored.`);
      continue;
    }
    const read = k.read(value, lane);
    if (!read.ok) {
      notices.push(`${where}: ${k.key} (${k.what}): ${read.message}; it was ignored.`);
      continue;
    }
    if ('colour' in read.patch) {
      colour = read.patch.colour;
      colourGiven = true;
      continue;
    }
    const next = { ...lane, ...read.patch } as LaneConfig;
    const before = new Set(validateLane(lane));
    const added = validateLane(next).filter((e) => !before.has(e));
    if (added.length > 0) {
      notices.push(`${where}: ${k.key}: ${added[0].replace(/^Lane "[^"]*": /, '')} It was ignored.`);
      continue;
    }
    lane = next;
    if (k.key === 'id') explicitId = true;
  }
  return { entry: { config: lane, colour }, notices, explicitId, colourGiven };
}

/** A fresh id for `base` that none of `taken` uses: base, base-2, base-3, ... */
export function uniqueId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

