import { describe, expect, it } from 'vitest';
import { estimateMemory, modelConfig } from '../model/config';
import { CpuTrainer } from './cpuBackend';
import { frameToRows, toCsv } from './csv';
import { makeLane } from './lane';
import { emptyEventTable, GRAD_HISTOGRAM_BINS, type MetricsFrame } from './metrics';
import { RECIPES } from './recipes';
import { buildRunDocument, runDocumentJson } from './runDocument';
import { testDataset, tinyRun } from './testRun.testutil';

/** A frame of a 1-layer, 2-expert model, every optional part present, written by hand. */
function handFrame(): MetricsFrame {
  const events = emptyEventTable(3);
  events.underflow.weight_grads = [1, 2, 3];
  events.overflow.activation_grads = [0, 5, 0];
  return {
    step: 4,
    lane: 'bf16-pure',
    loss: 2.5,
    ceLoss: 2.4,
    balanceLoss: 0.07,
    zLoss: 0.03,
    lr: 1e-3,
    tokensPerSecond: 1000,
    stepMs: 128,
    gradNorm: 0.5,
    weightNorms: { wte: 1, 'layer0.qkvw': 2 },
    weightNormTotal: Math.sqrt(5),
    events,
    lossScale: 1,
    foundInf: true,
    stepSkipped: false,
    lostUpdates: 17,
    expertLoad: [[100, 156]],
    gradZeroFraction: 0.25,
    gradHistogram: { minExponent: -64, counts: new Array(GRAD_HISTOGRAM_BINS).fill(0), below: 1, above: 2, zeros: 3, nonfinite: 4 },
    heldoutLoss: 2.6,
    sample: { prompt: 'To', completion: ' be', temperature: 0 },
    memory: estimateMemory(modelConfig('tiny', 65), RECIPES['bf16-pure']),
  };
}

describe('long-form CSV', () => {
  it('has the exact metric names', () => {
    const rows = frameToRows(handFrame());
    expect(rows.every((r) => r.step === 4 && r.lane === 'bf16-pure')).toBe(true);
    const byName = new Map(rows.map((r) => [r.metric, r.value]));
    expect(byName.size).toBe(rows.length); // no name twice
    const scalars = {
      loss: 2.5, ce_loss: 2.4, balance_loss: 0.07, z_loss: 0.03, lr: 1e-3, tokens_per_s: 1000, step_ms: 128,
      grad_norm: 0.5, loss_scale: 1, found_inf: 1, step_skipped: 0, grad_zero_fraction: 0.25, lost_updates: 17,
      heldout_loss: 2.6, 'weight_norm/total': Math.sqrt(5), 'weight_norm/wte': 1, 'weight_norm/layer0.qkvw': 2,
      'underflow/weight_grads': 6, 'underflow/weight_grads/embed': 1, 'underflow/weight_grads/layer0': 2,
      'underflow/weight_grads/head': 3, 'overflow/activation_grads': 5, 'overflow/activation_grads/layer0': 5,
      'subnormal/router/layer0': 0, 'nonfinite/weights': 0,
      'expert_load/layer0/e0': 100, 'expert_load/layer0/e1': 156,
      'grad_hist/-64': 0, 'grad_hist/15': 0, 'grad_hist/below': 1, 'grad_hist/above': 2, 'grad_hist/zero': 3,
      'grad_hist/nonfinite': 4, 'memory/total': handFrame().memory?.total, 'memory/activation_grads': handFrame().memory?.activation_grads,
    };
    for (const [name, value] of Object.entries(scalars)) expect(byName.get(name), name).toBe(value);
    // 4 events x 5 groups x (total + 3 sites), 80 histogram bins + 4, 7 memory rows, 2 experts, 3 norms, 14 scalars.
    expect(rows.length).toBe(4 * 5 * 4 + GRAD_HISTOGRAM_BINS + 4 + 7 + 2 + 3 + 14);
    expect(byName.has('grad_hist/16')).toBe(false);
    expect(frameToRows(handFrame(), { perSite: false }).some((r) => r.metric === 'underflow/weight_grads/layer0')).toBe(false);
    expect(frameToRows({ ...handFrame(), lostUpdates: null }).some((r) => r.metric === 'lost_updates')).toBe(false);
  });

  it('writes step,lane,metric,value with RFC 4180 quoting and pandas-readable inf/NaN', () => {
    const csv = toCsv([
      { step: 1, lane: 'fp16-amp', metric: 'loss', value: 4.25 },
      { step: 2, lane: 'odd,"lane"', metric: 'loss', value: NaN },
      { step: 2, lane: 'x', metric: 'grad_norm', value: -Infinity },
      { step: 3, lane: 'x', metric: 'lr', value: 1e-7 },
    ]);
    expect(csv).toBe('step,lane,metric,value\n1,fp16-amp,loss,4.25\n2,"odd,""lane""",loss,NaN\n2,x,grad_norm,-inf\n3,x,lr,1e-7\n');
  });

  it('exports a real run: rows of every frame, and a JSON document with config and series', async () => {
    const run = tinyRun([makeLane('fp32'), makeLane('bf16-pure')], { heldoutEvery: 2, heldoutBatches: 1, sampleEvery: 2, sampleLength: 3 });
    const trainer = new CpuTrainer();
    await trainer.configure(run, testDataset());
    const frames = await trainer.step(2);
    const rows = frames.flatMap((f) => frameToRows(f));
    const text = toCsv(rows);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('step,lane,metric,value');
    expect(lines.length).toBe(rows.length + 1);
    expect(lines.slice(1).every((l) => /^[12],(fp32|bf16-pure),[a-z_]+[A-Za-z0-9_/.-]*,-?[0-9.e+-]+$/.test(l))).toBe(true);
    const metrics = new Set(rows.map((r) => r.metric));
    for (const name of ['loss', 'heldout_loss', 'tokens_per_s', 'loss_scale', 'found_inf', 'step_skipped', 'grad_zero_fraction', 'lost_updates', 'weight_norm/total', 'weight_norm/layer0.fc1w', 'underflow/weight_grads', 'underflow/weight_grads/layer0', 'overflow/activation_grads', 'expert_load/layer0/e3']) {
      expect(metrics.has(name), name).toBe(true);
    }
    // Expert load: N*k assignments per layer.
    const load = rows.filter((r) => r.step === 1 && r.lane === 'fp32' && r.metric.startsWith('expert_load/'));
    expect(load.reduce((s, r) => s + r.value, 0)).toBe(run.model.batch * run.model.context * run.model.topK);

    const doc = buildRunDocument({ model: run.model, data: { dataset: 'synthetic', seed: run.dataSeed }, lanes: run.lanes }, frames);
    expect(doc.lanes.map((l) => l.recipe.name)).toEqual(['fp32', 'bf16-pure']);
    expect(doc.series.fp32.loss).toEqual({ steps: [1, 2], values: frames.filter((f) => f.lane === 'fp32').map((f) => f.loss) });
    expect(doc.series['bf16-pure'].heldout_loss.steps).toEqual([2]);
    expect(doc.samples.fp32).toHaveLength(1);
    expect(doc.samples.fp32[0].step).toBe(2);
    const parsed = JSON.parse(runDocumentJson({ ...doc, divergences: {} }));
    expect(parsed.format).toBe('precision-lab-run');
    expect(parsed.series.fp32.loss.values).toEqual(doc.series.fp32.loss.values);
  });
});
