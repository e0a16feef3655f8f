/**
 * The frames a run received, kept compactly for the export: what a lane's chart columns already
 * hold exactly (Float64: step, scalars, weight norms, expert load, held-out loss, histograms) is
 * read back from them, and only the rest is kept here:
 *   per row   a Uint32 of shape id * 256 + flags (4 B),
 *             the per-site event counts as varints in a byte stream (1-3 B per count; the
 *             columns hold only their sums) and the row's start in that stream (8 B);
 *   sparse    sample, memory and divergence (by reference), counts that are no whole number,
 *             and, whole, any frame this layout cannot rebuild exactly (a field it does not know,
 *             a value of another type, column names that collide).
 * A shape is the frame's key structure: weight-norm tensor names, event/group names with their
 * site counts, experts per layer (one or two per lane over a run).
 *
 * Rebuilt frames equal the received ones field for field (toEqual), booleans and `lostUpdates:
 * null` included; optional fields absent or undefined come back absent.
 */
import type { MetricsFrame } from '../worker/protocol';
import { ChunkedArray } from './chunked';

/** What a lane's column store provides (LaneSeries), row i of every column being row i here. */
export interface LaneColumns {
  readonly id: string;
  readonly steps: ChunkedArray;
  column(metric: string): ChunkedArray | undefined;
  readonly heldout: { readonly values: ChunkedArray };
  readonly histograms: readonly { histogram: NonNullable<MetricsFrame['gradHistogram']> }[];
}

type NumberField = 'loss' | 'ceLoss' | 'balanceLoss' | 'zLoss' | 'lr' | 'tokensPerSecond' | 'stepMs' | 'gradNorm' | 'lossScale' | 'gradZeroFraction' | 'weightNormTotal';

/** Number fields and their chart columns (series.ts frameMetrics). */
const NUMBER_COLUMNS: readonly (readonly [NumberField, string])[] = [
  ['loss', 'loss'],
  ['ceLoss', 'ce_loss'],
  ['balanceLoss', 'balance_loss'],
  ['zLoss', 'z_loss'],
  ['lr', 'lr'],
  ['tokensPerSecond', 'tokens_per_s'],
  ['stepMs', 'step_ms'],
  ['gradNorm', 'grad_norm'],
  ['lossScale', 'loss_scale'],
  ['gradZeroFraction', 'grad_zero_fraction'],
  ['weightNormTotal', 'weight_norm/total'],
];
const FIXED_COLUMNS = [...NUMBER_COLUMNS.map(([, c]) => c), 'found_inf', 'step_skipped', 'lost_updates'];

const KNOWN_FIELDS = new Set<string>([
  'step', 'lane', ...NUMBER_COLUMNS.map(([f]) => f), 'foundInf', 'stepSkipped', 'lostUpdates',
  'weightNorms', 'events', 'expertLoad', 'gradHistogram', 'heldoutLoss', 'sample', 'memory', 'diverged',
]);

// Row flags (low byte of the row's Uint32).
const LOST_NULL = 1;
const HELDOUT = 2;
const HISTOGRAM = 4;
const EXTRAS = 8;

interface Shape {
  weightNorms: string[];
  events: { event: string; groups: { group: string; sites: number }[] }[];
  /** Experts per layer. */
  expertLoad: number[];
}

interface Extras {
  sample?: MetricsFrame['sample'];
  memory?: MetricsFrame['memory'];
  diverged?: MetricsFrame['diverged'];
  /** Event counts in stream order whose varint is the escape 0. */
  counts?: number[];
  /** A frame kept as received. */
  whole?: MetricsFrame;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumbers = (x: unknown, length: number): x is number[] => {
  if (!Array.isArray(x) || x.length !== length) return false;
  for (let i = 0; i < length; i++) if (typeof x[i] !== 'number') return false;
  return true;
};

/** True when the frame's fields are the known ones with their types (nothing else to keep). */
function plainFields(f: MetricsFrame): boolean {
  const r = f as unknown as Record<string, unknown>;
  for (const key in r) if (!KNOWN_FIELDS.has(key)) return false;
  if (typeof f.step !== 'number' || typeof f.lane !== 'string') return false;
  for (const [field] of NUMBER_COLUMNS) if (typeof f[field] !== 'number') return false;
  if (typeof f.foundInf !== 'boolean' || typeof f.stepSkipped !== 'boolean') return false;
  if (f.lostUpdates !== null && typeof f.lostUpdates !== 'number') return false;
  if (f.heldoutLoss !== undefined && typeof f.heldoutLoss !== 'number') return false;
  for (const key of ['gradHistogram', 'sample', 'memory', 'diverged'] as const) {
    if (r[key] !== undefined && !isRecord(r[key])) return false;
  }
  return isRecord(f.weightNorms) && isRecord(f.events) && Array.isArray(f.expertLoad);
}

/** Does the frame have this shape, with numbers everywhere the shape has a value? */
function fits(shape: Shape, f: MetricsFrame): boolean {
  const norms = f.weightNorms as Record<string, unknown>;
  const names = Object.keys(norms);
  if (names.length !== shape.weightNorms.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== shape.weightNorms[i] || typeof norms[names[i]] !== 'number') return false;
  const events = f.events as unknown as Record<string, unknown>;
  const eventNames = Object.keys(events);
  if (eventNames.length !== shape.events.length) return false;
  for (let e = 0; e < eventNames.length; e++) {
    const { event, groups } = shape.events[e];
    const table = events[eventNames[e]];
    if (eventNames[e] !== event || !isRecord(table)) return false;
    const groupNames = Object.keys(table);
    if (groupNames.length !== groups.length) return false;
    for (let g = 0; g < groups.length; g++) {
      if (groupNames[g] !== groups[g].group || !isNumbers(table[groupNames[g]], groups[g].sites)) return false;
    }
  }
  const load = f.expertLoad as unknown[];
  if (load.length !== shape.expertLoad.length) return false;
  for (let l = 0; l < load.length; l++) if (!isNumbers(load[l], shape.expertLoad[l])) return false;
  return true;
}

/** The frame's shape, or null when it has values of another type or its chart columns collide. */
function shapeOf(f: MetricsFrame): Shape | null {
  const layers = f.expertLoad as unknown[];
  if (!layers.every((l) => Array.isArray(l))) return null;
  const events = f.events as unknown as Record<string, unknown>;
  if (!Object.values(events).every(isRecord)) return null;
  const shape: Shape = {
    weightNorms: Object.keys(f.weightNorms),
    events: Object.entries(events).map(([event, table]) => ({
      event,
      groups: Object.entries(table as Record<string, unknown>).map(([group, bySite]) => ({
        group,
        sites: Array.isArray(bySite) ? bySite.length : -1,
      })),
    })),
    expertLoad: (layers as unknown[][]).map((l) => l.length),
  };
  if (!fits(shape, f)) return null;
  // Every value must have a column of its own to be read back from.
  const columns = [
    ...FIXED_COLUMNS,
    ...shape.weightNorms.map((t) => `weight_norm/${t}`),
    ...shape.events.flatMap(({ event, groups }) => groups.map(({ group }) => `${event}/${group}`)),
    ...shape.expertLoad.flatMap((n, l) => Array.from({ length: n }, (_, e) => `expert_load/layer${l}/e${e}`)),
  ];
  return new Set(columns).size === columns.length ? shape : null;
}

const sameShape = (a: Shape, b: Shape): boolean => JSON.stringify(a) === JSON.stringify(b);

/** One lane's rows, in step order; appended right after the lane's columns took the frame. */
export class LaneFrames {
  readonly #rows = new ChunkedArray(Uint32Array);
  readonly #bytes = new ChunkedArray(Uint8Array, 1 << 16);
  readonly #starts = new ChunkedArray();
  readonly #extras = new Map<number, Extras>();
  readonly #shapes: Shape[] = [];
  #last = -1;

  get length(): number {
    return this.#rows.length;
  }

  append(f: MetricsFrame): void {
    const row = this.#rows.length;
    let flags = (f.lostUpdates === null ? LOST_NULL : 0) | (f.heldoutLoss !== undefined ? HELDOUT : 0) | (f.gradHistogram ? HISTOGRAM : 0);
    const extras: Extras = {};
    if (f.sample !== undefined) extras.sample = f.sample;
    if (f.memory !== undefined) extras.memory = f.memory;
    if (f.diverged !== undefined) extras.diverged = f.diverged;
    const shape = plainFields(f) ? this.#shapeId(f) : -1;
    this.#starts.push(this.#bytes.length);
    if (shape < 0) extras.whole = f;
    else {
      for (const table of Object.values(f.events)) {
        for (const bySite of Object.values(table)) for (const n of bySite) this.#count(n, extras);
      }
    }
    if (Object.keys(extras).length > 0) {
      flags |= EXTRAS;
      this.#extras.set(row, extras);
    }
    this.#rows.push(Math.max(shape, 0) * 256 + flags);
  }

  /** Keeps the first `rows` rows (the lane's columns were cut to as many). */
  truncate(rows: number): void {
    if (rows >= this.#rows.length) return;
    this.#bytes.truncate(this.#starts.get(rows));
    this.#starts.truncate(rows);
    this.#rows.truncate(rows);
    for (const row of this.#extras.keys()) if (row >= rows) this.#extras.delete(row);
  }

  /** Reads the lane's frames in order, one per call (`length` calls). */
  reader(lane: LaneColumns): () => MetricsFrame {
    let row = 0;
    let byte = 0;
    let heldout = 0;
    let histogram = 0;
    const columns = new Map<string, ChunkedArray>();
    const col = (metric: string): ChunkedArray => {
      let c = columns.get(metric);
      if (!c) {
        c = lane.column(metric);
        if (!c) throw new Error(`The lane ${lane.id} has no ${metric} column to rebuild its frames from; its series store is out of step with its frames.`);
        columns.set(metric, c);
      }
      return c;
    };
    // Columns by shape, looked up once per reader.
    const resolved: { norms: [string, ChunkedArray][]; load: ChunkedArray[][] }[] = [];
    const columnsOf = (id: number) =>
      (resolved[id] ??= {
        norms: this.#shapes[id].weightNorms.map((t) => [t, col(`weight_norm/${t}`)]),
        load: this.#shapes[id].expertLoad.map((n, l) => Array.from({ length: n }, (_, e) => col(`expert_load/layer${l}/e${e}`))),
      });
    let fixed: { numbers: [NumberField, ChunkedArray][]; foundInf: ChunkedArray; stepSkipped: ChunkedArray; lost: ChunkedArray } | null = null;
    const count = (extras: Extras | undefined, escapes: { i: number }): number => {
      let value = 0;
      let scale = 1;
      for (;;) {
        const b = this.#bytes.get(byte++);
        value += (b & 127) * scale;
        if (b < 128) break;
        scale *= 128;
      }
      return value === 0 ? (extras?.counts?.[escapes.i++] ?? NaN) : value - 1;
    };
    return () => {
      const i = row++;
      const packed = this.#rows.get(i);
      const flags = packed % 256;
      const extras = flags & EXTRAS ? this.#extras.get(i) : undefined;
      const heldoutLoss = flags & HELDOUT ? lane.heldout.values.get(heldout++) : undefined;
      const gradHistogram = flags & HISTOGRAM ? lane.histograms[histogram++].histogram : undefined;
      if (extras?.whole) return extras.whole;
      const id = Math.floor(packed / 256);
      const shape = this.#shapes[id];
      const { norms, load } = columnsOf(id);
      fixed ??= {
        numbers: NUMBER_COLUMNS.map(([field, metric]) => [field, col(metric)]),
        foundInf: col('found_inf'),
        stepSkipped: col('step_skipped'),
        lost: col('lost_updates'),
      };
      const weightNorms: Record<string, number> = {};
      for (const [t, c] of norms) weightNorms[t] = c.get(i);
      const escapes = { i: 0 };
      const events: Record<string, Record<string, number[]>> = {};
      for (const { event, groups } of shape.events) {
        const table: Record<string, number[]> = (events[event] = {});
        for (const { group, sites } of groups) {
          const bySite: number[] = (table[group] = []);
          for (let s = 0; s < sites; s++) bySite.push(count(extras, escapes));
        }
      }
      const frame = {
        step: lane.steps.get(i),
        lane: lane.id,
        weightNorms,
        events: events as MetricsFrame['events'],
        foundInf: fixed.foundInf.get(i) === 1,
        stepSkipped: fixed.stepSkipped.get(i) === 1,
        lostUpdates: flags & LOST_NULL ? null : fixed.lost.get(i),
        expertLoad: load.map((layer) => layer.map((c) => c.get(i))),
      } as MetricsFrame;
      for (const [field, c] of fixed.numbers) frame[field] = c.get(i);
      if (gradHistogram) frame.gradHistogram = gradHistogram;
      if (heldoutLoss !== undefined) frame.heldoutLoss = heldoutLoss;
      if (extras?.sample !== undefined) frame.sample = extras.sample;
      if (extras?.memory !== undefined) frame.memory = extras.memory;
      if (extras?.diverged !== undefined) frame.diverged = extras.diverged;
      return frame;
    };
  }

  /** The shape's id, interned on first sight; -1 when the frame does not fit any shape. */
  #shapeId(f: MetricsFrame): number {
    if (this.#last >= 0 && fits(this.#shapes[this.#last], f)) return this.#last;
    const shape = shapeOf(f);
    if (!shape) return -1;
    let id = this.#shapes.findIndex((s) => sameShape(s, shape));
    if (id < 0) id = this.#shapes.push(shape) - 1;
    this.#last = id;
    return id;
  }

  /** A count as varint(n + 1), 7 bits a byte, low first; 0 is the escape to extras.counts. */
  #count(n: number, extras: Extras): void {
    if (!(Number.isSafeInteger(n) && n >= 0 && n < Number.MAX_SAFE_INTEGER) || Object.is(n, -0)) {
      this.#bytes.push(0);
      (extras.counts ??= []).push(n);
      return;
    }
    let x = n + 1;
    while (x >= 128) {
      this.#bytes.push((x % 128) + 128);
      x = Math.floor(x / 128);
    }
    this.#bytes.push(x);
  }
}

/** The arrival order across lanes: the lane of each frame received, as an index. */
export class ArrivalOrder {
  #lanes = new ChunkedArray(Uint32Array);
  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();

  get length(): number {
    return this.#lanes.length;
  }

  push(lane: string): void {
    let i = this.#index.get(lane);
    if (i === undefined) {
      i = this.#ids.push(lane) - 1;
      this.#index.set(lane, i);
    }
    this.#lanes.push(i);
  }

  /** Keeps, of each lane, its first rowsOf(lane) frames. */
  truncate(rowsOf: (lane: string) => number): void {
    const left = this.#ids.map(rowsOf);
    const kept = new ChunkedArray(Uint32Array);
    for (let k = 0; k < this.#lanes.length; k++) {
      const i = this.#lanes.get(k);
      if (left[i]-- > 0) kept.push(i);
    }
    this.#lanes = kept;
  }

  /** Every frame in arrival order, each lane's read from its LaneFrames. */
  frames(lanes: ReadonlyMap<string, LaneColumns & { readonly archive: LaneFrames }>): MetricsFrame[] {
    const readers = this.#ids.map((id) => {
      const lane = lanes.get(id);
      if (!lane) throw new Error(`The lane ${id} has frames but no series; the series store lost it.`);
      return lane.archive.reader(lane);
    });
    const out: MetricsFrame[] = [];
    for (let k = 0; k < this.#lanes.length; k++) out.push(readers[this.#lanes.get(k)]());
    return out;
  }
}
