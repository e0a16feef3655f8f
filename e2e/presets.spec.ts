// Each preset shows what its explanation claims, checked on the run.json of a real `npm run lab`
// run: the tiny model on the CPU backend (about 30 ms per lane-step here), the preset's own lanes
// (read from src/train/presets.ts and compared with the run's), with run-file overrides only where
// the tiny size needs them, each said where it is made.
//
// One yardstick for "trains like" and "trains worse": LIKE of what the reference lane has learned
// (its step-1 loss minus its mean loss over the last K steps). Lanes share the initial weights and
// every batch, so their losses differ only by what their precision does.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runnerImport } from 'vite';

const K = 25; // train steps averaged for "final" train loss
const LIKE = 0.02; // fraction of the reference lane's loss drop

interface ScalerJson {
  init_scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  enabled: boolean;
}
interface LaneJson {
  id: string;
  recipe: string;
  lr: number;
  router: string;
  seed: number;
  stochasticRounding?: boolean;
  scaler?: Partial<ScalerJson>;
  [field: string]: unknown;
}
interface RunJson {
  model: {
    d: number;
    layers: number;
    experts: number;
    context: number;
    vocab: number;
    hidden?: number;
  };
  data: { dataset: string; seed: number };
  lanes: { config: LaneJson; recipe: { name: string; lossScaling: ScalerJson } }[];
  series: Record<string, Record<string, { steps: number[]; values: (number | string)[] }>>;
  divergences: Record<string, unknown>;
}

/** The preset's lanes as src/train/presets.ts defines them, loaded the way scripts/lab.mjs loads
 * src (Vite's module runner), so the test never restates a preset's settings. */
async function presetLanes(id: string): Promise<LaneJson[]> {
  const { module } = await runnerImport<{
    presetById(id: string): { lanes: LaneJson[] } | undefined;
  }>(resolve('src/train/presets.ts'), {
    configFile: false,
    root: resolve('.'),
    cacheDir: 'node_modules/.vite-lab',
    logLevel: 'silent',
  });
  const preset = module.presetById(id);
  if (!preset) throw new Error(`There is no preset "${id}" in src/train/presets.ts.`);
  return JSON.parse(JSON.stringify(preset.lanes)) as LaneJson[];
}

/** Trains the run file on the CPU backend and returns its run.json. */
function lab(file: Record<string, unknown>): RunJson {
  const dir = mkdtempSync(join(tmpdir(), 'lab-claim-'));
  const path = join(dir, 'claim.json');
  writeFileSync(path, JSON.stringify(file));
  const r = spawnSync(
    process.execPath,
    ['scripts/lab.mjs', '--config', path, '--backend', 'cpu', '--out', join(dir, 'out')],
    { encoding: 'utf8', timeout: 170_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^backend cpu: /);
  return JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8')) as RunJson;
}

/** Quiet schedule: no text samples; held-out loss and histograms only where a check reads them. */
const metrics = (heldoutEvery: number, histogramEvery: number) => ({
  heldoutEvery,
  histogramEvery,
  sampleEvery: 0,
});

function values(doc: RunJson, lane: string, metric: string): number[] {
  const s = doc.series[lane]?.[metric];
  expect(s, `${lane} has no ${metric} series`).toBeDefined();
  return s.values.map(Number); // run.json writes inf/NaN as strings
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const lastK = (doc: RunJson, lane: string) => mean(values(doc, lane, 'loss').slice(-K));
const finalHeldout = (doc: RunJson, lane: string) =>
  values(doc, lane, 'heldout_loss').at(-1) as number;
/** LIKE of what `lane` learned: its step-1 loss minus its last-K mean. */
function margin(doc: RunJson, lane: string): number {
  const drop = values(doc, lane, 'loss')[0] - lastK(doc, lane);
  expect(drop, `${lane} learned nothing`).toBeGreaterThan(0);
  return LIKE * drop;
}

/** Sums over steps of the histogram bins [2^e, 2^(e+1)), by lower exponent e. */
function histogram(doc: RunJson, lane: string): Map<number, number> {
  const bins = new Map<number, number>();
  for (const metric of Object.keys(doc.series[lane])) {
    const m = /^grad_hist\/(-?\d+)$/.exec(metric);
    if (m) bins.set(Number(m[1]), sum(values(doc, lane, metric)));
  }
  expect(bins.size, `${lane} has no gradient histogram`).toBeGreaterThan(0);
  return bins;
}
/** Nonzero gradients with |g| < 2^e. */
const countBelow = (bins: Map<number, number>, e: number) =>
  sum([...bins].filter(([lo]) => lo < e).map(([, n]) => n));
function medianExponent(bins: Map<number, number>): number {
  const sorted = [...bins].sort((a, b) => a[0] - b[0]);
  const half = sum(sorted.map(([, n]) => n)) / 2;
  let seen = 0;
  for (const [lo, n] of sorted) if ((seen += n) >= half) return lo;
  return NaN;
}

/** Parameters of the reference MoE transformer (src/model/reference/parameters.ts layout): wte,
 * wpe, per layer ln1 (w,b), qkv (w,b), attn proj (w,b), ln2 (w,b), router w, E x (fc1 w,b, fc2
 * w,b); ln_f (w,b); lm_head. */
function parameterCount(m: RunJson['model']): number {
  const { vocab: V, d: C, context: T, experts: E, layers: L } = m;
  const F = m.hidden ?? 4 * C;
  const block =
    2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + E * C + E * (F * C + F + C * F + C);
  return V * C + T * C + L * block + 2 * C + V * C;
}

/** torch.amp.GradScaler's update (torch/amp/grad_scaler.py, _amp_update_scale_ in
 * aten/src/ATen/native/cuda/AmpKernels.cu), written here from PyTorch, not from src/numerics:
 * the scale is an f32 tensor; an inf/NaN step multiplies it by backoff_factor and resets the
 * tracker; growth_interval clean steps in a row multiply it by growth_factor (kept only if
 * finite). Returns the scale each step's backward USED (the frame's loss_scale). */
function torchScaleTrace(c: ScalerJson, foundInf: boolean[]): number[] {
  if (!c.enabled) return foundInf.map(() => 1);
  let scale = Math.fround(c.init_scale);
  let growthTracker = 0;
  return foundInf.map((inf) => {
    const used = scale;
    if (inf) {
      scale = Math.fround(scale * c.backoff_factor);
      growthTracker = 0;
    } else if (growthTracker + 1 === c.growth_interval) {
      const grown = Math.fround(scale * c.growth_factor);
      if (Number.isFinite(grown)) scale = grown;
      growthTracker = 0;
    } else {
      growthTracker += 1;
    }
    return used;
  });
}

function expectPresetLanes(doc: RunJson, lanes: LaneJson[]): void {
  expect(doc.lanes.map((l) => l.config)).toEqual(lanes);
  expect(Object.keys(doc.divergences), 'no lane may diverge').toEqual([]);
}

const GROUPS = ['weights', 'activations', 'activation_grads', 'weight_grads', 'router'];

test('fp16-without-loss-scaling: the unscaled lane loses small gradients to zero, the scaled one keeps them', async () => {
  const lanes = await presetLanes('fp16-without-loss-scaling');
  const doc = lab({
    preset: 'fp16-without-loss-scaling',
    model: 'tiny',
    steps: 80,
    metrics: metrics(0, 10),
  });
  expectPresetLanes(doc, lanes);
  const under = (lane: string, group: string) => sum(values(doc, lane, `underflow/${group}`));
  const zeroFraction = (lane: string) => mean(values(doc, lane, 'grad_zero_fraction'));
  // "zero for the scaled lane, many for the unscaled one"
  for (const group of ['weight_grads', 'activation_grads']) {
    expect(under('fp16-amp-noscale', group), group).toBeGreaterThan(0);
    expect(under('fp16-amp', group), group).toBe(0);
  }
  // "the fraction of exactly-zero gradients"
  expect(zeroFraction('fp16-amp-noscale')).toBeGreaterThan(zeroFraction('fp16-amp'));
  // "the unscaled lane's magnitudes fall off FP16's range on the left": the f32 lane holds
  // gradients below the smallest fp16 subnormal 2^-24; "the scaled lane's are shifted up by the
  // loss scale": its histogram (of stored, scaled gradients) sits log2(scale) binades higher.
  const scale = values(doc, 'fp16-amp', 'loss_scale');
  expect(new Set(scale).size, 'the scale stays put in this run').toBe(1);
  expect(countBelow(histogram(doc, 'fp32'), -24)).toBeGreaterThan(0);
  const shift = medianExponent(histogram(doc, 'fp16-amp')) - medianExponent(histogram(doc, 'fp32'));
  expect(Math.abs(shift - Math.log2(scale[0]))).toBeLessThanOrEqual(1);
  expect(medianExponent(histogram(doc, 'fp16-amp-noscale'))).toBe(
    medianExponent(histogram(doc, 'fp32')),
  );
});

test('bf16-pure-loses-updates: nearest rounding loses a large share of updates and trains worse, on two data seeds', async () => {
  const lanes = await presetLanes('bf16-pure-loses-updates');
  for (const dataSeed of [1337, 7]) {
    const steps = 120;
    const doc = lab({
      preset: 'bf16-pure-loses-updates',
      model: 'tiny',
      steps,
      dataSeed,
      metrics: metrics(steps, 0),
    });
    expectPresetLanes(doc, lanes);
    const at = `data seed ${dataSeed}`;
    const lost = values(doc, 'bf16-pure', 'lost_updates');
    const lostSr = values(doc, 'bf16-pure-sr', 'lost_updates');
    // "a large share of all parameters every step": every step loses some, at least a tenth of
    // the parameters on average.
    expect(Math.min(...lost), at).toBeGreaterThan(0);
    expect(mean(lost) / parameterCount(doc.model), at).toBeGreaterThanOrEqual(0.1);
    // Stochastic rounding lands some of the small updates the nearest lane loses.
    expect(mean(lostSr), at).toBeLessThan(mean(lost));
    // "Layer-norm gains sit at 1.0 ... a learning-rate-sized update never lands", "weight norms
    // that stop moving": the nearest lane's gains keep the norm of C ones, sqrt(C), every step;
    // with a master copy, or stochastic rounding, they move.
    const gains = [
      'lnfw',
      ...Array.from({ length: doc.model.layers }, (_, l) => [
        `layer${l}.ln1w`,
        `layer${l}.ln2w`,
      ]).flat(),
    ];
    for (const g of gains) {
      const pure = values(doc, 'bf16-pure', `weight_norm/${g}`);
      expect(
        pure.every((x) => Math.abs(x - Math.sqrt(doc.model.d)) <= 1e-6 * Math.sqrt(doc.model.d)),
        `${at} ${g}`,
      ).toBe(true);
      for (const lane of ['bf16-amp', 'bf16-pure-sr']) {
        const norms = values(doc, lane, `weight_norm/${g}`);
        expect(Math.max(...norms) - Math.min(...norms), `${at} ${lane} ${g}`).toBeGreaterThan(1e-3);
      }
    }
    // "the loss that stalls above the master-weight lane": worse by more than LIKE of what the
    // master-weight lane learned, in train and held-out loss; stochastic rounding "follows the
    // FP32 path": within that margin.
    const m = margin(doc, 'bf16-amp');
    expect(lastK(doc, 'bf16-pure') - lastK(doc, 'bf16-amp'), at).toBeGreaterThan(m);
    expect(finalHeldout(doc, 'bf16-pure') - finalHeldout(doc, 'bf16-amp'), at).toBeGreaterThan(m);
    expect(Math.abs(lastK(doc, 'bf16-pure-sr') - lastK(doc, 'bf16-amp')), at).toBeLessThan(m);
    expect(
      Math.abs(finalHeldout(doc, 'bf16-pure-sr') - finalHeldout(doc, 'bf16-amp')),
      at,
    ).toBeLessThan(m);
  }
});

test("high-lr-fp16-overflow: steps are skipped and the loss scale follows torch's GradScaler rule", async () => {
  const lanes = await presetLanes('high-lr-fp16-overflow');
  // 300 steps: the tiny model's scaled gradients first reach 65504 only after the scaler has
  // grown the scale a few times (growth_interval 50), later than the default model's.
  const doc = lab({
    preset: 'high-lr-fp16-overflow',
    model: 'tiny',
    steps: 300,
    metrics: metrics(0, 0),
  });
  expectPresetLanes(doc, lanes);
  const lane = doc.lanes.find((l) => l.config.recipe === 'fp16-amp');
  if (!lane) throw new Error('The preset has no fp16-amp lane.');
  const id = lane.config.id;
  const settings: ScalerJson = { ...lane.recipe.lossScaling, ...lane.config.scaler };
  expect(settings.enabled).toBe(true);
  const foundInf = values(doc, id, 'found_inf').map((x) => x === 1);
  const skipped = values(doc, id, 'step_skipped');
  expect(sum(skipped)).toBeGreaterThan(0);
  expect(skipped).toEqual(foundInf.map((x) => (x ? 1 : 0)));
  // A step finds inf exactly when a cast in it overflowed or carried an inf/NaN.
  const steps = foundInf.length;
  const events = Array.from({ length: steps }, (_, i) =>
    sum(
      GROUPS.flatMap((g) => ['overflow', 'nonfinite'].map((e) => values(doc, id, `${e}/${g}`)[i])),
    ),
  );
  expect(events.map((n) => n > 0)).toEqual(foundInf);
  expect(values(doc, id, 'loss_scale')).toEqual(torchScaleTrace(settings, foundInf));
  // The sawtooth: the scale both backed off and grew during the run.
  const scale = values(doc, id, 'loss_scale');
  const ratios = new Set(
    scale
      .slice(1)
      .map((s, i) => s / scale[i])
      .filter((r) => r !== 1),
  );
  expect([...ratios].sort((a, b) => a - b)).toEqual(
    [settings.backoff_factor, settings.growth_factor].sort((a, b) => a - b),
  );
});

test('bf16-needs-no-scaling: BF16 keeps the small gradients without a scale; unscaled FP16 loses them', async () => {
  const lanes = await presetLanes('bf16-needs-no-scaling');
  const doc = lab({
    preset: 'bf16-needs-no-scaling',
    model: 'tiny',
    steps: 80,
    metrics: metrics(0, 10),
  });
  expectPresetLanes(doc, lanes);
  // "no loss scale, no underflow, no skipped steps"
  expect(values(doc, 'bf16-amp', 'loss_scale').every((x) => x === 1)).toBe(true);
  expect(sum(values(doc, 'bf16-amp', 'step_skipped'))).toBe(0);
  for (const group of GROUPS) {
    for (const event of ['underflow', 'overflow', 'nonfinite']) {
      expect(sum(values(doc, 'bf16-amp', `${event}/${group}`)), `bf16-amp ${event}/${group}`).toBe(
        0,
      );
    }
  }
  // "gradients as small as 1e-38 stay representable": BF16 holds nonzero gradients below FP16's
  // smallest subnormal 2^-24 ...
  expect(countBelow(histogram(doc, 'bf16-amp'), -24)).toBeGreaterThan(0);
  // ... and "FP16 without scaling, beside it, loses its small gradients".
  expect(sum(values(doc, 'fp16-amp-noscale', 'underflow/weight_grads'))).toBeGreaterThan(0);
  expect(sum(values(doc, 'fp16-amp-noscale', 'underflow/activation_grads'))).toBeGreaterThan(0);
  // "BF16 follows FP32"
  expect(Math.abs(lastK(doc, 'bf16-amp') - lastK(doc, 'fp32'))).toBeLessThan(margin(doc, 'fp32'));
});

test('fp32-vs-fp16-vs-bf16: the three recipes train alike; 16-bit activations save memory', async () => {
  const lanes = await presetLanes('fp32-vs-fp16-vs-bf16');
  const steps = 150;
  const doc = lab({
    preset: 'fp32-vs-fp16-vs-bf16',
    model: 'tiny',
    steps,
    metrics: metrics(steps, 0),
  });
  expectPresetLanes(doc, lanes);
  // "The loss curves lie almost on top of each other"
  const m = margin(doc, 'fp32');
  for (const lane of ['fp16-amp', 'bf16-amp']) {
    expect(Math.abs(lastK(doc, lane) - lastK(doc, 'fp32')), lane).toBeLessThan(m);
    expect(Math.abs(finalHeldout(doc, lane) - finalHeldout(doc, 'fp32')), lane).toBeLessThan(m);
    // "memory for what the 16-bit activations save"
    expect(values(doc, lane, 'memory/activations')[0]).toBeLessThan(
      values(doc, 'fp32', 'memory/activations')[0],
    );
  }
  // "it starts at 65536 and halves on the first steps whose scaled gradients overflow"
  const fp16 = doc.lanes.find((l) => l.config.id === 'fp16-amp');
  if (!fp16) throw new Error('The preset has no fp16-amp lane.');
  const foundInf = values(doc, 'fp16-amp', 'found_inf').map((x) => x === 1);
  expect(values(doc, 'fp16-amp', 'loss_scale')[0]).toBe(65536);
  expect(values(doc, 'fp16-amp', 'loss_scale')).toEqual(
    torchScaleTrace({ ...fp16.recipe.lossScaling, ...fp16.config.scaler }, foundInf),
  );
  // "FP16 rounds small activation gradients to subnormals, BF16 ... does not"
  expect(sum(values(doc, 'fp16-amp', 'subnormal/activation_grads'))).toBeGreaterThan(0);
  expect(sum(values(doc, 'bf16-amp', 'subnormal/activation_grads'))).toBe(0);
});

test('router-in-low-precision: a 16-bit router routes tokens differently from the same weights', async () => {
  const lanes = await presetLanes('router-in-low-precision');
  const reference = lanes.find((l) => l.recipe === 'bf16-amp' && l.router === 'f32');
  const lowRouter = lanes.find((l) => l.recipe === 'bf16-amp' && l.router === 'low');
  if (!reference || !lowRouter)
    throw new Error('The preset needs a BF16 lane with an f32 router and one with a BF16 router.');
  // A control lane, the f32-router lane once more: identical lanes route identically, so a
  // difference between the two BF16 lanes comes from the router's rounding alone.
  const control = { ...reference, id: 'control', label: 'control' };
  const doc = lab({
    preset: 'router-in-low-precision',
    model: 'tiny',
    steps: 30,
    lanes: [...lanes, control],
    metrics: metrics(0, 0),
  });
  expect(doc.lanes.map((l) => l.config)).toEqual([...lanes, control]);
  const loads = (lane: string) => {
    const names = Object.keys(doc.series[lane])
      .filter((k) => k.startsWith('expert_load/'))
      .sort();
    expect(names.length).toBe(doc.model.layers * doc.model.experts);
    return values(doc, lane, 'loss').map((_, i) => names.map((n) => values(doc, lane, n)[i]));
  };
  expect(loads('control')).toEqual(loads(reference.id));
  // "rounding its logits and probabilities to 16 bits turns near-ties into arbitrary choices":
  // the expert loads part from the first steps on (the lanes start from the same weights).
  const ref = loads(reference.id);
  const low = loads(lowRouter.id);
  const differing = ref.map((row, i) => row.some((n, j) => n !== low[i][j]));
  expect(differing.slice(0, 5).some(Boolean), 'the loads differ within the first 5 steps').toBe(
    true,
  );
  // An f32 router rounds nothing, so it counts no router events.
  for (const event of ['overflow', 'underflow', 'subnormal', 'nonfinite']) {
    expect(sum(values(doc, reference.id, `${event}/router`))).toBe(0);
  }
});
