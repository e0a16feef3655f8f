/**
 * The live series slice: every frame the worker sends, kept whole for export, and per lane a
 * column store of the numbers the charts draw (append-only chunked arrays aligned with the lane's
 * step column). The columns are mutated in place and `version` is bumped once per batch of
 * frames: charts subscribe to `version` and redraw on the next animation frame, nothing else
 * re-renders per step.
 *
 * Column names follow the CSV export's metric names (train/csv.ts): loss, ce_loss, balance_loss,
 * z_loss, lr, tokens_per_s, step_ms, grad_norm, loss_scale, found_inf, step_skipped,
 * grad_zero_fraction, lost_updates, weight_norm/total, weight_norm/<tensor>, <event>/<group>
 * (summed over sites), expert_load/layer<l>/e<i>. A value a frame lacks is NaN.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Divergence, MetricsFrame, TextSample } from '../worker/protocol';
import { ChunkedArray } from './chunked';

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
      col.push(value);
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
  /** Every frame received, in arrival order (the export's source). */
  frames: MetricsFrame[];
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
      frames: [],
      lanes: new Map(),
      maxStep: 0,
      append: (frames) => {
        if (frames.length === 0) return;
        let maxStep = get().maxStep;
        const kept = get().frames;
        for (const frame of frames) {
          const s = lane(frame.lane);
          // A repeated or out-of-order step (a message from before a reset) is dropped.
          if (frame.step <= s.lastStep) continue;
          s.append(frame);
          kept.push(frame);
          maxStep = Math.max(maxStep, frame.step);
        }
        set({ maxStep, version: get().version + 1 });
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
        for (const s of get().lanes.values()) s.truncate(step);
        const frames = get().frames.filter((f) => f.step <= step);
        let maxStep = 0;
        for (const s of get().lanes.values()) maxStep = Math.max(maxStep, s.lastStep);
        set({ frames, maxStep, version: get().version + 1 });
      },
      clear: () => set({ frames: [], lanes: new Map(), maxStep: 0, version: get().version + 1 }),
    };
  });
}
