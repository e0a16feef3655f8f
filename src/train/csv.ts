/**
 * Long-form export: one row per (step, lane, metric) with a numeric value, columns
 * `step,lane,metric,value` (tidy data: pandas' read_csv then pivot, or R's pivot_wider).
 *
 * Metric names (every frame unless noted; slashes separate the parts):
 *   loss, ce_loss, balance_loss, z_loss, lr, tokens_per_s, step_ms, grad_norm,
 *   loss_scale, found_inf (0/1), step_skipped (0/1), grad_zero_fraction,
 *   lost_updates                         pure recipes only
 *   weight_norm/total, weight_norm/<tensor>   tensor: wte, wpe, layer0.qkvw, ..., lnfw, lnfb, lmHead
 *   <event>/<group>                       event: overflow underflow subnormal nonfinite;
 *   <event>/<group>/<site>                group: weights activations activation_grads weight_grads
 *                                         router; site: embed layer0 .. head
 *   expert_load/layer<l>/e<i>
 *   heldout_loss                          every heldoutEvery steps
 *   grad_hist/<exponent>, grad_hist/below, grad_hist/above, grad_hist/zero, grad_hist/nonfinite
 *                                         every histogramEvery steps; <exponent> is the bin's
 *                                         lower log2 bound (grad_hist/-24 counts [2^-24, 2^-23))
 *   memory/<category>, memory/total       first frame; bytes
 * Text samples are not numbers: they go to the JSON document only.
 */
import { siteNames } from '../model/reference/storeGroups';
import { MEMORY_CATEGORIES } from '../model/config';
import { COUNTED_EVENTS, TENSOR_GROUPS, type MetricsFrame } from './metrics';

export interface CsvRow {
  step: number;
  lane: string;
  metric: string;
  value: number;
}

export const CSV_COLUMNS = ['step', 'lane', 'metric', 'value'] as const;

export const eventMetric = (event: string, group: string, site?: string): string =>
  site === undefined ? `${event}/${group}` : `${event}/${group}/${site}`;
export const weightNormMetric = (tensor: string): string => `weight_norm/${tensor}`;
export const expertLoadMetric = (layer: number, expert: number): string => `expert_load/layer${layer}/e${expert}`;
export const memoryMetric = (category: string): string => `memory/${category}`;
export const gradHistMetric = (bin: number | 'below' | 'above' | 'zero' | 'nonfinite'): string => `grad_hist/${bin}`;

export interface RowOptions {
  /** Per-site event rows as well as the totals per group (default true). */
  perSite?: boolean;
}

/** The frame's numbers as long-form rows. */
export function frameToRows(frame: MetricsFrame, options: RowOptions = {}): CsvRow[] {
  const { step, lane } = frame;
  const rows: CsvRow[] = [];
  const add = (metric: string, value: number): void => {
    rows.push({ step, lane, metric, value });
  };
  add('loss', frame.loss);
  add('ce_loss', frame.ceLoss);
  add('balance_loss', frame.balanceLoss);
  add('z_loss', frame.zLoss);
  add('lr', frame.lr);
  add('tokens_per_s', frame.tokensPerSecond);
  add('step_ms', frame.stepMs);
  add('grad_norm', frame.gradNorm);
  add('loss_scale', frame.lossScale);
  add('found_inf', frame.foundInf ? 1 : 0);
  add('step_skipped', frame.stepSkipped ? 1 : 0);
  add('grad_zero_fraction', frame.gradZeroFraction);
  if (frame.lostUpdates !== null) add('lost_updates', frame.lostUpdates);
  add(weightNormMetric('total'), frame.weightNormTotal);
  for (const [tensor, norm] of Object.entries(frame.weightNorms)) add(weightNormMetric(tensor), norm);
  for (const event of COUNTED_EVENTS) {
    for (const group of TENSOR_GROUPS) {
      const bySite = frame.events[event][group];
      add(eventMetric(event, group), bySite.reduce((a, b) => a + b, 0));
      if (options.perSite === false) continue;
      const names = siteNames(bySite.length - 2);
      for (let s = 0; s < bySite.length; s++) add(eventMetric(event, group, names[s]), bySite[s]);
    }
  }
  frame.expertLoad.forEach((layer, l) => layer.forEach((n, e) => add(expertLoadMetric(l, e), n)));
  if (frame.heldoutLoss !== undefined) add('heldout_loss', frame.heldoutLoss);
  const h = frame.gradHistogram;
  if (h) {
    h.counts.forEach((n, i) => add(gradHistMetric(h.minExponent + i), n));
    add(gradHistMetric('below'), h.below);
    add(gradHistMetric('above'), h.above);
    add(gradHistMetric('zero'), h.zeros);
    add(gradHistMetric('nonfinite'), h.nonfinite);
  }
  if (frame.memory) {
    for (const category of MEMORY_CATEGORIES) add(memoryMetric(category), frame.memory[category]);
    add(memoryMetric('total'), frame.memory.total);
  }
  return rows;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Shortest round-trip decimal; inf, -inf, NaN as pandas and Python's float() read them. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** The rows as CSV text with a header line, lines ending in \n. */
export function toCsv(rows: readonly CsvRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(`${r.step},${field(r.lane)},${field(r.metric)},${numberText(r.value)}`);
  return `${lines.join('\n')}\n`;
}
