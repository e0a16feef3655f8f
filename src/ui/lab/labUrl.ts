/**
 * The Lab page's URL-state table: every setting a person can change, so that a link reproduces
 * the experiment. `?preset=…` loads a preset's lanes, model and task; `lane=` parameters, when
 * present, replace its lanes; everything else is left out of the URL at its default.
 */
import { clip, defaultColours, readParams, writeParams, type LaneEntry, type ParseResult, type UrlParam } from '../../store';
import { DATASET_NAMES, isDatasetName } from '../../data';
import { MODEL_SIZE_NAMES } from '../../model/config';
import { PARAMETER_NAMES } from '../../model/reference/parameters';
import { COUNTED_EVENTS } from '../../numerics';
import { PRESETS, presetById } from '../../train/presets';
import { validateLanes } from '../../train/lane';
import { CHART_IDS, isChartId } from '../charts/chartIds';
import { decodeLane, encodeLane, uniqueId } from './laneCodec';
import { baseOf, DEFAULT_PRESET, defaultLabSettings, presetConfig, type LabSettings } from './settings';

/** Parameters other pages own; they pass through the lab's URL untouched. */
export const FOREIGN_PARAMS = ['view', 'x', 'f', 'n'] as const;

export const MAX_LANES = 8;
const MAX_SPEED = 1000;

const ok = <T>(value: T, notices?: string[]): ParseResult<T> => ({ ok: true, value, notices });
const bad = (message: string): ParseResult<never> => ({ ok: false, message });

const isU32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const numberOf = (text: string): number | null => (text.trim() === '' || Number.isNaN(Number(text)) ? null : Number(text));

/** A row for one field whose text maps one to one. */
function field<K extends keyof LabSettings>(
  name: string,
  key: K,
  read: (text: string, draft: LabSettings) => ParseResult<LabSettings[K]>,
  write: (value: LabSettings[K]) => string,
  defaultValue: (state: LabSettings) => LabSettings[K],
): UrlParam<LabSettings> {
  return {
    name,
    parse: ([text], draft) => {
      const r = read(text, draft);
      return r.ok ? ok({ [key]: r.value } as Partial<LabSettings>, r.notices) : r;
    },
    serialize: (s) => [write(s[key])],
    defaultText: (s) => [write(defaultValue(s))],
  };
}

const DEFAULTS = defaultLabSettings();

function encodeLanes(lanes: readonly LaneEntry[]): string[] {
  return lanes.map((l, i) => encodeLane(l, i, lanes.length));
}

function readLanes(texts: string[]): ParseResult<Partial<LabSettings>> {
  const notices: string[] = [];
  const lanes: LaneEntry[] = [];
  const kept = texts.slice(0, MAX_LANES);
  if (texts.length > MAX_LANES) notices.push(`The link has ${texts.length} lanes; at most ${MAX_LANES} train side by side, so the last ${texts.length - MAX_LANES} were left out.`);
  const decoded = kept.map((text, i) => decodeLane(text, i, kept.length));
  // Palette colours follow the lanes that were kept, as encodeLane assumes.
  const count = decoded.filter((d) => d.entry).length;
  decoded.forEach((d, i) => {
    notices.push(...d.notices);
    if (!d.entry) return;
    if (!d.colourGiven) d.entry.colour = defaultColours(count)[lanes.length];
    const taken = lanes.map((l) => l.config.id);
    if (taken.includes(d.entry.config.id)) {
      const id = uniqueId(d.entry.config.id, taken);
      if (d.explicitId) notices.push(`The link's lane ${i + 1} repeats the id “${clip(d.entry.config.id)}”; it was renamed ${id}.`);
      d.entry.config.id = id;
    }
    lanes.push(d.entry);
  });
  const problems = validateLanes(lanes.map((l) => l.config), MAX_LANES);
  if (lanes.length === 0 || problems.length > 0) {
    return bad(lanes.length === 0 ? 'no lane could be read' : problems[0]);
  }
  return ok({ lanes }, notices);
}

function readList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const TENSOR_RE = new RegExp(`^(total|(layer\\d{1,2}\\.)?(${PARAMETER_NAMES.join('|')})|layer\\d{1,2}\\.expert\\d{1,3})$`);

export const LAB_URL_TABLE: readonly UrlParam<LabSettings>[] = [
  {
    name: 'preset',
    parse: ([text]) => {
      if (text === 'none') return ok({ presetId: null });
      const preset = presetById(text);
      return preset ? ok(presetConfig(preset)) : bad(`“${clip(text)}” is not a preset (known: ${PRESETS.map((p) => p.id).join(', ')}, none)`);
    },
    serialize: (s) => [s.presetId ?? 'none'],
    defaultText: () => [DEFAULT_PRESET.id],
  },
  field(
    'model',
    'modelSize',
    (text) => ((MODEL_SIZE_NAMES as readonly string[]).includes(text) ? ok(text) : bad(`“${clip(text)}” is not a model size (${MODEL_SIZE_NAMES.join(' or ')})`)),
    (v) => v,
    (s) => baseOf(s.presetId).modelSize,
  ),
  field(
    'data',
    'dataset',
    (text) => (isDatasetName(text) ? ok(text) : bad(`“${clip(text)}” is not a dataset (${DATASET_NAMES.join(' or ')})`)),
    (v) => v,
    (s) => baseOf(s.presetId).dataset,
  ),
  {
    name: 'lane',
    multiple: true,
    parse: (texts) => readLanes(texts),
    serialize: (s) => encodeLanes(s.lanes),
    defaultText: (s) => encodeLanes(baseOf(s.presetId).lanes),
  },
  field(
    'dseed',
    'dataSeed',
    (text) => {
      const v = numberOf(text);
      return v !== null && isU32(v) ? ok(v) : bad(`“${clip(text)}” is not a seed (a whole number from 0 to 4294967295)`);
    },
    (v) => String(v),
    () => DEFAULTS.dataSeed,
  ),
  field(
    'sps',
    'stepsPerSecond',
    (text) => {
      if (text === 'max') return ok(Infinity);
      const v = numberOf(text);
      return v !== null && v > 0 && v <= MAX_SPEED ? ok(v) : bad(`“${clip(text)}” is not a speed cap (steps per second above 0 and at most ${MAX_SPEED}, or max)`);
    },
    (v) => (Number.isFinite(v) ? String(v) : 'max'),
    () => DEFAULTS.stepsPerSecond,
  ),
  field(
    'backend',
    'backend',
    (text) => (text === 'auto' || text === 'cpu' ? ok(text) : bad(`“${clip(text)}” is not a backend (auto or cpu)`)),
    (v) => v,
    () => DEFAULTS.backend,
  ),
  field(
    'smooth',
    'smoothing',
    (text) => {
      const v = numberOf(text);
      return v !== null && v >= 0 && v <= 0.99 ? ok(v) : bad(`“${clip(text)}” is not a smoothing weight (0 to 0.99)`);
    },
    (v) => String(v),
    () => DEFAULTS.smoothing,
  ),
  field(
    'hide',
    'hiddenLanes',
    (text, draft) => {
      const ids = readList(text);
      const known = draft.lanes.map((l) => l.config.id);
      const unknown = ids.filter((id) => !known.includes(id));
      const notices = unknown.length
        ? [`The link's parameter hide names ${unknown.map((u) => `“${clip(u)}”`).join(', ')}, which ${unknown.length === 1 ? 'is not a lane' : 'are not lanes'} of this experiment; ignored.`]
        : [];
      return ok(ids.filter((id) => known.includes(id)), notices);
    },
    (v) => v.join(','),
    () => DEFAULTS.hiddenLanes,
  ),
  field(
    'log',
    'logCharts',
    (text) => {
      const ids = readList(text);
      const unknown = ids.filter((id) => !isChartId(id));
      return unknown.length ? bad(`“${clip(unknown.join(','))}” is not a chart (known: ${CHART_IDS.join(', ')})`) : ok(ids);
    },
    (v) => v.join(','),
    () => DEFAULTS.logCharts,
  ),
  field(
    'tensor',
    'weightTensor',
    (text) => (TENSOR_RE.test(text) ? ok(text) : bad(`“${clip(text)}” is not a weight tensor or expert (total, wte, layer0.qkvw, layer0.expert3, …)`)),
    (v) => v,
    () => DEFAULTS.weightTensor,
  ),
  field(
    'event',
    'eventKind',
    (text) => {
      const kind = COUNTED_EVENTS.find((e) => e === text);
      return kind ? ok(kind) : bad(`“${clip(text)}” is not an event kind (${COUNTED_EVENTS.join(', ')})`);
    },
    (v) => v,
    () => DEFAULTS.eventKind,
  ),
  field(
    'expert',
    'expertLane',
    (text, draft) => (draft.lanes.some((l) => l.config.id === text) ? ok(text) : bad(`“${clip(text)}” is not a lane of this experiment`)),
    (v) => v ?? '',
    () => DEFAULTS.expertLane,
  ),
];

/** The settings a query string describes, and a sentence for each part that was ignored. */
export function readLabUrl(search: string): { settings: LabSettings; notices: string[] } {
  const { state, notices } = readParams(LAB_URL_TABLE, search, defaultLabSettings(), FOREIGN_PARAMS);
  return { settings: state, notices };
}

/** The query string for the settings, other pages' parameters kept. */
export function labSearch(settings: LabSettings, search: string): string {
  return writeParams(LAB_URL_TABLE, settings, search);
}

/** Puts the settings into the address bar without a history entry. */
export function writeLabUrl(settings: LabSettings): void {
  const url = new URL(window.location.href);
  const search = labSearch(settings, url.search);
  if (search !== url.search) {
    url.search = search;
    window.history.replaceState(window.history.state, '', url);
  }
}
