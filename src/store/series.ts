/**
 * The live series slice: per lane a column store of the numbers the charts draw (append-only
 * chunked arrays aligned with the lane's step column), and every frame the worker sent, kept for
 * the export in what those columns lack (frameArchive.ts) and rebuilt on demand by frames().
 * The columns are mutated in place and `version` is bumped once per batch of frames: charts
 * subscribe to `version` and redraw on the next animation frame, nothing else re-renders per step.
 *
 * Column names follow the CSV export's metric names (train/csv.ts): loss, ce_loss, balance_loss,
 * z_loss, lr, tokens_per_s, step_ms, grad_norm, loss_scale, found_inf, step_skipped,
 * grad_zero_fraction, lost_updates, weight_norm/total, weight_norm/<tensor>, <event>/<group>
 * (summed over sites), expert_load/layer<l>/e<i>. A value a frame lacks is NaN.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Divergence, MetricsFrame, TextSample } from '../worker/protocol';
import { ChunkedArray } from './chunked';
import { ArrivalOrder, LaneFrames } from './frameArchive';

export type GradHistogram = NonNullable<MetricsFrame['gradHistogram']>;
export type MemoryEstimate = NonNullable<MetricsFrame['memory']>;
export type SampleEntry = { step: number } & TextSample;

export class LaneSeries {
  readonly id: string;
  readonly steps = new ChunkedArray();
  readonly columns = new Map<string, ChunkedArray>();
  readonly heldout = { steps: new ChunkedArray(), values: new ChunkedArray() };
  /** Gradient histograms in step order (every histogramEvery steps). */
  readonly histograms: { step: number; histogram: GradHistogram }[] = [];
  memory: MemoryEstimate | null = null;
  readonly samples: SampleEntry[] = [];
  divergence: Divergence | null = null;
  /** What the export needs of each frame beyond the columns, row for row. */
  readonly archive = new LaneFrames();

  constructor(id: string) {
    this.id = id;
  }

  get lastStep(): number {
    return this.steps.length === 0 ? 0 : this.steps.last();
  }

  column(metric: string): ChunkedArray | undefined {
    return this.columns.get(metric);
  }

  /** The metric at the last recorded step <= step, or NaN. */
  valueAt(metric: string, step: number): number {
    const i = this.steps.floorIndex(step);
    return i < 0 ? NaN : (this.columns.get(metric)?.get(i) ?? NaN);
  }

  /** The latest histogram taken at or before step. */
  histogramAt(step: number): { step: number; histogram: GradHistogram } | null {
    let found: { step: number; histogram: GradHistogram } | null = null;
    for (const h of this.histograms) {
      if (h.step > step) break;
      found = h;
    }
    return found;
  }

  append(frame: MetricsFrame): void {
    const n = this.steps.length;
    this.steps.push(frame.step);
    for (const [metric, value] of frameMetrics(frame)) {
      let col = this.columns.get(metric);
      if (!col) {
        col = new ChunkedArray();
        col.fill(NaN, n);
        this.columns.set(metric, col);
      }
      // A name twice in one frame (a colliding tensor name) keeps its first value: columns stay
      // aligned (the archive keeps such a frame whole).
      if (col.length === n) col.push(value);
    }
    // Columns this frame lacks stay aligned with the step column.
    for (const col of this.columns.values()) if (col.length === n) col.push(NaN);
    if (frame.heldoutLoss !== undefined) {
      this.heldout.steps.push(frame.step);
      this.heldout.values.push(frame.heldoutLoss);
    }
    if (frame.gradHistogram) this.histograms.push({ step: frame.step, histogram: frame.gradHistogram });
    if (frame.memory) this.memory = frame.memory;
    if (frame.sample) this.addSample({ step: frame.step, ...frame.sample });
    if (frame.diverged) this.divergence = frame.diverged;
    this.archive.append(frame);
  }

  /** Drops everything after `step` (a run resumed from the snapshot of that step). */
  truncate(step: number): void {
    const keep = this.steps.floorIndex(step) + 1;
    this.steps.truncate(keep);
    for (const col of this.columns.values()) col.truncate(keep);
    const heldout = this.heldout.steps.floorIndex(step) + 1;
    this.heldout.steps.truncate(heldout);
    this.heldout.values.truncate(heldout);
    const after = <T extends { step: number }>(list: T[]) => {
      const i = list.findIndex((x) => x.step > step);
      if (i >= 0) list.length = i;
    };
    after(this.histograms);
    after(this.samples);
    if (this.divergence && this.divergence.step > step) this.divergence = null;
    this.archive.truncate(keep);
  }

  addSample(sample: SampleEntry): void {
    if (this.samples.some((s) => s.step === sample.step)) return;
    this.samples.push(sample);
    this.samples.sort((a, b) => a.step - b.step);
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The frame's chartable numbers as (column, value) pairs. */
export function frameMetrics(f: MetricsFrame): [string, number][] {
  const out: [string, number][] = [
    ['loss', f.loss],
    ['ce_loss', f.ceLoss],
    ['balance_loss', f.balanceLoss],
    ['z_loss', f.zLoss],
    ['lr', f.lr],
    ['tokens_per_s', f.tokensPerSecond],
    ['step_ms', f.stepMs],
    ['grad_norm', f.gradNorm],
    ['loss_scale', f.lossScale],
    ['found_inf', f.foundInf ? 1 : 0],
    ['step_skipped', f.stepSkipped ? 1 : 0],
    ['grad_zero_fraction', f.gradZeroFraction],
    ['lost_updates', f.lostUpdates ?? NaN],
    ['weight_norm/total', f.weightNormTotal],
  ];
  for (const [tensor, norm] of Object.entries(f.weightNorms)) out.push([`weight_norm/${tensor}`, norm]);
  for (const [event, groups] of Object.entries(f.events)) {
    for (const [group, bySite] of Object.entries(groups)) out.push([`${event}/${group}`, sum(bySite)]);
  }
  f.expertLoad.forEach((layer, l) => layer.forEach((n, e) => out.push([`expert_load/layer${l}/e${e}`, n])));
  return out;
}

export interface SeriesState {
  /** Bumped once per change; what charts subscribe to. */
  version: number;
  /** Frames received and kept (a dropped repeat is not counted). */
  frameCount: number;
  /** Every frame received, rebuilt in arrival order (the export's source); O(frames) each call. */
  frames(): MetricsFrame[];
  lanes: Map<string, LaneSeries>;
  /** Largest step of any lane. */
  maxStep: number;
  append(frames: readonly MetricsFrame[]): void;
  addSamples(samples: readonly ({ lane: string } & SampleEntry)[]): void;
  setDivergence(lane: string, divergence: Divergence): void;
  /** Forgets every step after `step`, for a run resumed from its snapshot of that step. */
  truncate(step: number): void;
  clear(): void;
}

export type SeriesStore = StoreApi<SeriesState>;

export function createSeriesStore(): SeriesStore {
  return createStore<SeriesState>()((set, get) => {
    let order = new ArrivalOrder();
    const lane = (id: string): LaneSeries => {
      const lanes = get().lanes;
      let s = lanes.get(id);
      if (!s) {
        s = new LaneSeries(id);
        lanes.set(id, s);
      }
      return s;
    };
    return {
      version: 0,
      frameCount: 0,
      frames: () => order.frames(get().lanes),
      lanes: new Map(),
      maxStep: 0,
      append: (frames) => {
        if (frames.length === 0) return;
        let maxStep = get().maxStep;
        for (const frame of frames) {
          const s = lane(frame.lane);
          // A repeated or out-of-order step (a message from before a reset) is dropped.
          if (frame.step <= s.lastStep) continue;
          s.append(frame);
          order.push(frame.lane);
          maxStep = Math.max(maxStep, frame.step);
        }
        set({ maxStep, frameCount: order.length, version: get().version + 1 });
      },
      addSamples: (samples) => {
        for (const { lane: id, ...sample } of samples) lane(id).addSample(sample);
        set({ version: get().version + 1 });
      },
      setDivergence: (id, divergence) => {
        lane(id).divergence = divergence;
        set({ version: get().version + 1 });
      },
      truncate: (step) => {
        const lanes = get().lanes;
        for (const s of lanes.values()) s.truncate(step);
        order.truncate((id) => lanes.get(id)?.steps.length ?? 0);
        let maxStep = 0;
        for (const s of lanes.values()) maxStep = Math.max(maxStep, s.lastStep);
        set({ frameCount: order.length, maxStep, version: get().version + 1 });
      },
      clear: () => {
        order = new ArrivalOrder();
        set({ frameCount: 0, lanes: new Map(), maxStep: 0, version: get().version + 1 });
      },
    };
  });
}
