// The WebGPU trainer in the browser (SwiftShader here): every recipe against the CPU backend,
// the step loop's GPU calls counted by wrapping the device's own methods, a diverging lane next
// to healthy ones (the CPU backend says where the same run diverges), and the training worker on
// 'webgpu' without a fallback.
import { test, expect, type Page } from '@playwright/test';

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

/** Source modules, served by the dev server (a variable, so the spec's compiler leaves them be). */
const SRC = '/src/';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

/** Loads Tiny Shakespeare and a device into window.__gt in the page. */
async function setUp(page: Page): Promise<void> {
  await page.evaluate(async (src) => {
    const data = await import(/* @vite-ignore */ `${src}data/index.ts`);
    const gpu = await import(/* @vite-ignore */ `${src}gpu/index.ts`);
    const opened = await data.openDataset({ ...data.DEFAULT_DATA_OPTIONS, dataset: 'shakespeare' });
    if (!opened.ok) throw new Error(opened.message);
    const ctx = await gpu.acquireDevice({ label: 'gpu-trainer spec' });
    (window as unknown as { __gt: unknown }).__gt = { data: opened.value, ctx };
  }, SRC);
}

test('three steps of every recipe on the GPU match the CPU backend', async ({ page }) => {
  test.setTimeout(120_000);
  await setUp(page);
  const result = (await page.evaluate(async (src) => {
    const { compareWithCpu } = await import(/* @vite-ignore */ `${src}train/gpu/selftest/compare.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: unknown; ctx: unknown } }).__gt;
    return compareWithCpu(ctx, data, { steps: 3 });
  }, SRC)) as { checks: Check[]; gpuMs: number; cpuMs: number; usesTimestamps: boolean };
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`GPU ${result.gpuMs.toFixed(0)} ms, CPU ${result.cpuMs.toFixed(0)} ms for 3 steps of 5 lanes; timestamps ${result.usesTimestamps}`);
  // 1 lockstep check + 5 recipes x 6 checks.
  expect(result.checks).toHaveLength(1 + 5 * 6);
  expect(result.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
});

test('a warmup-cosine schedule, stochastic rounding, a low-precision router and GradScaler back-off match the CPU over five steps', async ({ page }) => {
  test.setTimeout(120_000);
  await setUp(page);
  const result = (await page.evaluate(async (src) => {
    const { compareWithCpu } = await import(/* @vite-ignore */ `${src}train/gpu/selftest/compare.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: unknown; ctx: unknown } }).__gt;
    const schedule = { kind: 'warmup-cosine', warmupSteps: 2, totalSteps: 6, minLr: 1e-4 };
    const lanes = [
      makeLane('fp32', { schedule }),
      makeLane('bf16-pure', { schedule, stochasticRounding: true }),
      // 2^24 overflows fp16 gradients: skipped steps and back-off, growth every clean step.
      makeLane('fp16-amp', { router: 'low', scaler: { init_scale: 2 ** 24, growth_interval: 1 } }),
    ];
    return compareWithCpu(ctx, data, { steps: 5, lanes });
  }, SRC)) as { checks: Check[] };
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail.slice(0, 300)}`);
  expect(result.checks).toHaveLength(1 + 3 * 6);
  expect(result.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
});

test('the step loop submits once per step and maps at most one ring slot per step', async ({ page }) => {
  await setUp(page);
  const r = await page.evaluate(async (src) => {
    const { createGpuTrainer } = await import(/* @vite-ignore */ `${src}train/gpuBackend.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const { modelConfig } = await import(/* @vite-ignore */ `${src}model/config.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: { vocab: number }; ctx: { device: GPUDevice } } }).__gt;
    // Count on the device's own prototypes, not through the trainer.
    const counts = { submit: 0, map: 0, mapResolved: 0, submitsBeforeFirstMap: -1 };
    const submit = GPUQueue.prototype.submit;
    const mapAsync = GPUBuffer.prototype.mapAsync;
    GPUQueue.prototype.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
      counts.submit++;
      return submit.call(this, buffers);
    };
    GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
      counts.map++;
      return mapAsync.apply(this, args).then((x) => {
        if (counts.mapResolved++ === 0) counts.submitsBeforeFirstMap = counts.submit;
        return x;
      });
    } as typeof mapAsync;
    const trainer = createGpuTrainer(ctx, { ringDepth: 4 });
    const lanes = [makeLane('fp32'), makeLane('bf16-amp')];
    const metrics = { heldoutEvery: 2, heldoutBatches: 2, sampleEvery: 0, sampleLength: 0, sampleTemperature: 0, histogramEvery: 3 };
    const configured = await trainer.configure({ model: modelConfig('tiny', data.vocab), lanes, dataSeed: 1, metrics }, data);
    if (!configured.ok) throw new Error(configured.errors.join(' '));
    await trainer.step(2);
    const before = { ...counts };
    const own = { ...trainer.calls };
    counts.mapResolved = 0;
    counts.submitsBeforeFirstMap = -1;
    const frames = await trainer.step(8);
    const after = { ...counts };
    GPUQueue.prototype.submit = submit;
    GPUBuffer.prototype.mapAsync = mapAsync;
    const memory = trainer.memoryByCategory();
    const result = {
      submits: after.submit - before.submit,
      maps: after.map - before.map,
      ownSubmits: trainer.calls.submit - own.submit,
      ownMaps: trainer.calls.mapAsync - own.mapAsync,
      submittedBeforeFirstMap: after.submitsBeforeFirstMap - before.submit,
      frames: (frames as { step: number; lane: string; heldoutLoss?: number }[]).map((f) => [f.step, f.lane, f.heldoutLoss !== undefined]),
      categories: memory.map((m: { category: string; allocated: number }) => [m.category, m.allocated]),
      status: trainer.status(),
    };
    trainer.dispose();
    return result;
  }, SRC);
  console.log(JSON.stringify(r));
  expect(r.submits).toBe(8);
  expect(r.maps).toBe(8); // one ring slot per step; held-out losses travel in it
  expect(r.ownSubmits).toBe(8);
  expect(r.ownMaps).toBe(8);
  // Steps were submitted while the first one's metrics were still on their way back.
  expect(r.submittedBeforeFirstMap).toBeGreaterThanOrEqual(2);
  expect(r.frames).toHaveLength(8 * 2);
  expect(r.frames.filter((f) => f[2]).map((f) => f[0])).toEqual([4, 4, 6, 6, 8, 8, 10, 10]);
  expect(r.status.step).toBe(10);
  const categories = Object.fromEntries(r.categories);
  for (const c of ['master_weights', 'low_precision_weights', 'gradients', 'optimizer_state', 'activations', 'read-back']) {
    expect(categories[c], c).toBeGreaterThan(0);
  }
});

test('a diverging lane stops where the CPU backend says, the others go on; reset replays', async ({ page }) => {
  await setUp(page);
  const r = await page.evaluate(async (src) => {
    const { createGpuTrainer } = await import(/* @vite-ignore */ `${src}train/gpuBackend.ts`);
    const { createCpuTrainer } = await import(/* @vite-ignore */ `${src}train/cpuBackend.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const { modelConfig } = await import(/* @vite-ignore */ `${src}model/config.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: { vocab: number }; ctx: unknown } }).__gt;
    const lanes = [makeLane('fp32', { id: 'hot', lr: 1e30 }), makeLane('fp32'), makeLane('bf16-amp')];
    const metrics = { heldoutEvery: 0, heldoutBatches: 1, sampleEvery: 0, sampleLength: 0, sampleTemperature: 0, histogramEvery: 0 };
    const run = { model: modelConfig('tiny', data.vocab), lanes, dataSeed: 2, metrics };
    const gpu = createGpuTrainer(ctx);
    const cpu = createCpuTrainer();
    await gpu.configure(run, data);
    await cpu.configure(run, data);
    type F = { step: number; lane: string; diverged?: { step: number; reason: string; group: string | null; message: string } };
    const g = (await gpu.step(6)) as F[];
    const c = (await cpu.step(6)) as F[];
    const status = gpu.status();
    // Reset: every lane running again from its seed; the first step replays bit for bit.
    await gpu.reset();
    const afterReset = gpu.status();
    const replay = (await gpu.step(1)) as (F & { loss: number })[];
    const out = {
      gpu: g.map((f) => [f.step, f.lane, f.diverged ?? null]),
      cpu: c.map((f) => [f.step, f.lane, f.diverged ?? null]),
      status,
      afterReset,
      firstLosses: (g as (F & { loss: number })[]).filter((f) => f.step === 1).map((f) => f.loss),
      replayLosses: replay.map((f) => f.loss),
    };
    gpu.dispose();
    return out;
  }, SRC);
  const hot = (frames: unknown[][]) => frames.filter((f) => f[1] === 'hot');
  const gHot = hot(r.gpu);
  const cHot = hot(r.cpu);
  console.log(JSON.stringify(gHot.at(-1)), JSON.stringify(cHot.at(-1)));
  const div = gHot.at(-1)?.[2] as { step: number; reason: string; group: string | null; message: string };
  const cpuDiv = cHot.at(-1)?.[2] as typeof div;
  expect(div).toBeTruthy();
  expect(cpuDiv).toBeTruthy();
  expect(gHot.map((f) => f[0])).toEqual(cHot.map((f) => f[0])); // no frames after the divergence
  // Same step, reason, first (group, site, event) and sentence: the GPU's first group comes from
  // its counts in execution order, the CPU's from its first store.
  expect(div).toEqual(cpuDiv);
  expect(div.message).toMatch(/^Lane "hot" diverged at step \d+: .*It stopped; the other lanes go on\./);
  for (const id of ['fp32', 'bf16-amp']) {
    expect(r.gpu.filter((f) => f[1] === id).map((f) => [f[0], f[2]])).toEqual([1, 2, 3, 4, 5, 6].map((s) => [s, null]));
  }
  expect(r.afterReset.step).toBe(0);
  expect(r.afterReset.lanes.every((l: { state: string }) => l.state === 'running')).toBe(true);
  expect(r.replayLosses).toEqual(r.firstLosses);
  expect(r.status.step).toBe(6);
  expect(r.status.lanes.map((l: { id: string; state: string }) => [l.id, l.state])).toEqual([
    ['hot', 'diverged'],
    ['fp32', 'running'],
    ['bf16-amp', 'running'],
  ]);
});

test('a snapshot restores into a fresh GPU trainer bit for bit, and into the CPU trainer within tolerance', async ({ page }) => {
  test.setTimeout(120_000);
  await setUp(page);
  const r = await page.evaluate(async (src) => {
    const { createGpuTrainer } = await import(/* @vite-ignore */ `${src}train/gpuBackend.ts`);
    const { createCpuTrainer } = await import(/* @vite-ignore */ `${src}train/cpuBackend.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const { modelConfig } = await import(/* @vite-ignore */ `${src}model/config.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: { vocab: number }; ctx: unknown } }).__gt;
    // State beyond the weights: moments, a scale that backs off (2^24 overflows fp16 gradients)
    // and grows every clean step, pure bf16 with stochastic rounding keyed by the step.
    const lanes = [
      makeLane('fp32'),
      makeLane('fp16-amp', { scaler: { init_scale: 2 ** 24, growth_interval: 1 } }),
      makeLane('bf16-pure', { stochasticRounding: true }),
    ];
    const metrics = { heldoutEvery: 0, heldoutBatches: 1, sampleEvery: 0, sampleLength: 0, sampleTemperature: 0, histogramEvery: 0 };
    const run = { model: modelConfig('tiny', data.vocab), lanes, dataSeed: 4, metrics };
    type F = { step: number; lane: string; loss: number; gradNorm: number; lossScale: number; weightNormTotal: number; stepSkipped: boolean; lostUpdates: number | null; events: unknown; expertLoad: unknown };
    const pick = (f: F) => [f.step, f.lane, f.loss, f.gradNorm, f.lossScale, f.weightNormTotal, f.stepSkipped, f.lostUpdates, f.events, f.expertLoad];
    const original = createGpuTrainer(ctx);
    await original.configure(run, data);
    await original.step(3);
    const snapshot = structuredClone(await original.snapshot());
    const continued = (await original.step(3)) as F[];
    original.dispose();
    const resumed = createGpuTrainer(ctx);
    await resumed.configure(run, data);
    await resumed.restore(snapshot);
    const stepAfterRestore = resumed.status().step;
    const replayed = (await resumed.step(3)) as F[];
    resumed.dispose();
    const cpu = createCpuTrainer();
    await cpu.configure(run, data);
    await cpu.restore(snapshot);
    const onCpu = (await cpu.step(1)) as F[];
    return {
      snapshotStep: snapshot.step,
      scales: snapshot.lanes.map((l: { scale: number; skippedSteps: number; stepsDone: number }) => [l.scale, l.skippedSteps, l.stepsDone]),
      stepAfterRestore,
      continued: continued.map(pick),
      replayed: replayed.map(pick),
      step4: continued.filter((f) => f.step === 4).map((f) => [f.lane, f.loss, f.lossScale, f.stepSkipped]),
      cpu4: onCpu.map((f) => [f.lane, f.loss, f.lossScale, f.stepSkipped]),
    };
  }, SRC);
  expect(r.snapshotStep).toBe(3);
  expect(r.stepAfterRestore).toBe(3);
  console.log('snapshot [scale, skipped, AdamW steps] per lane:', JSON.stringify(r.scales));
  // The fp16 lane skipped at least one step and moved its scale, so the restored state matters.
  expect(r.scales[1][1]).toBeGreaterThan(0);
  expect(r.scales[1][0]).not.toBe(2 ** 24);
  expect(r.replayed).toEqual(r.continued);
  // On the CPU: the same steps and scaler decisions; losses within each format's step tolerance
  // (the GPU sums in another order: f32 1e-5 relative, 16-bit a quarter ulp of the format).
  const tol: Record<string, number> = { fp32: 1e-5, 'fp16-amp': 2 ** -10 / 4, 'bf16-pure': 2 ** -7 / 4 };
  expect(r.cpu4.map((f) => [f[0], f[2], f[3]])).toEqual(r.step4.map((f) => [f[0], f[2], f[3]]));
  for (const [i, [lane, loss]] of r.cpu4.entries()) {
    const gpuLoss = r.step4[i][1] as number;
    expect(Math.abs((loss as number) - gpuLoss) / Math.abs(gpuLoss), `${lane} step 4 loss CPU ${loss} GPU ${gpuLoss}`).toBeLessThanOrEqual(tol[lane as string]);
  }
});

test('2000 tiny steps with snapshots keep GPU memory flat: every buffer a step makes is gone after it', async ({ page }) => {
  test.setTimeout(300_000);
  await setUp(page);
  const r = await page.evaluate(async (src) => {
    const { createGpuTrainer } = await import(/* @vite-ignore */ `${src}train/gpuBackend.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const { modelConfig } = await import(/* @vite-ignore */ `${src}model/config.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: { vocab: number }; ctx: unknown } }).__gt;
    // Live buffers and bytes, counted on the device's own prototypes.
    const live = new Map<GPUBuffer, number>();
    const labels = new Map<GPUBuffer, string>();
    const create = GPUDevice.prototype.createBuffer;
    const destroy = GPUBuffer.prototype.destroy;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
      const b = create.call(this, d);
      live.set(b, d.size);
      labels.set(b, d.label ?? '?');
      return b;
    };
    GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
      live.delete(this);
      return destroy.call(this);
    };
    const sample = () => ({ buffers: live.size, bytes: [...live.values()].reduce((a, b) => a + b, 0) });
    try {
      // Every periodic path: held-out loss, text samples, histograms, and a snapshot every 50
      // steps as the worker takes them.
      const metrics = { heldoutEvery: 50, heldoutBatches: 2, sampleEvery: 100, sampleLength: 8, sampleTemperature: 0.8, histogramEvery: 10 };
      // One lane with casts and a loss scale (the most kernels); lanes share every path.
      const lanes = [makeLane('fp16-amp')];
      const trainer = createGpuTrainer(ctx);
      await trainer.configure({ model: modelConfig('tiny', data.vocab), lanes, dataSeed: 9, metrics }, data);
      const marks: { step: number; buffers: number; bytes: number }[] = [];
      let frames = 0;
      for (let step = 0; step < 2000; step += 50) {
        frames += (await trainer.step(50)).length;
        await trainer.snapshot();
        if (step + 50 === 100 || step + 50 === 2000) marks.push({ step: step + 50, ...sample() });
      }
      trainer.dispose();
      const left: Record<string, number> = {};
      for (const b of live.keys()) left[labels.get(b) ?? '?'] = (left[labels.get(b) ?? '?'] ?? 0) + 1;
      return { marks, frames, afterDispose: sample(), left };
    } finally {
      GPUDevice.prototype.createBuffer = create;
      GPUBuffer.prototype.destroy = destroy;
    }
  }, SRC);
  console.log(JSON.stringify(r));
  expect(r.frames).toBe(2000);
  const [at100, at2000] = r.marks;
  expect(at100.buffers).toBeGreaterThan(10);
  expect(at2000).toEqual({ ...at100, step: 2000 });
  // Disposing the trainer hands back every buffer the run made, the launches' uniforms included
  // (`left` names any that stay).
  expect(r.left).toEqual({});
  expect(r.afterDispose).toEqual({ buffers: 0, bytes: 0 });
});

test("the training worker asked for 'webgpu' trains on the GPU and says so, with no fallback", async ({ page }) => {
  const messages = await page.evaluate(async (src) => {
    const { createLabClient } = await import(/* @vite-ignore */ `${src}worker/client.ts`);
    const { makeLane } = await import(/* @vite-ignore */ `${src}train/lane.ts`);
    const client = createLabClient({});
    const seen: { type: string; [k: string]: unknown }[] = [];
    client.subscribe((m: { type: string }) => seen.push(m as { type: string }));
    const waitFor = (pred: (m: { type: string; [k: string]: unknown }) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const t0 = performance.now();
        const poll = () => (seen.some(pred) ? resolve() : performance.now() - t0 > 60_000 ? reject(new Error(`timed out; got ${JSON.stringify(seen.map((m) => [m.type, m.state, m.step, m.message]))}`)) : setTimeout(poll, 50));
        poll();
      });
    const model = { vocab: 65, d: 32, layers: 1, heads: 2, experts: 4, topK: 2, context: 16, batch: 8 };
    const metrics = { heldoutEvery: 2, heldoutBatches: 1, sampleEvery: 2, sampleLength: 8, sampleTemperature: 0, histogramEvery: 1 };
    client.send({ type: 'configure', run: { model, lanes: [makeLane('fp32'), makeLane('bf16-amp')], dataSeed: 3, metrics }, dataset: 'shakespeare', backend: 'webgpu' });
    await waitFor((m) => m.type === 'status' && m.state === 'paused');
    client.send({ type: 'step', n: 2 });
    await waitFor((m) => m.type === 'status' && m.state === 'paused' && m.step === 2);
    client.dispose();
    return seen;
  }, SRC);
  const errors = messages.filter((m) => m.type === 'error');
  expect(errors).toEqual([]);
  const last = messages.filter((m) => m.type === 'status').at(-1)!;
  expect(last.backend).toBe('webgpu');
  expect(last.fallback).toBeUndefined();
  const frames = messages.filter((m) => m.type === 'metrics').flatMap((m) => m.frames as { step: number; lane: string; loss: number; heldoutLoss?: number; gradHistogram?: unknown }[]);
  expect(frames.map((f) => [f.step, f.lane])).toEqual([
    [1, 'fp32'],
    [1, 'bf16-amp'],
    [2, 'fp32'],
    [2, 'bf16-amp'],
  ]);
  for (const f of frames) {
    expect(Math.abs(f.loss - Math.log(65))).toBeLessThan(0.3); // an untrained character model
    expect(f.gradHistogram).toBeTruthy();
  }
  expect(frames.filter((f) => f.step === 2).every((f) => f.heldoutLoss !== undefined)).toBe(true);
  // Samples travel in their own message.
  const samples = messages.filter((m) => m.type === 'samples').flatMap((m) => m.samples as { lane: string; step: number; completion: string }[]);
  expect(samples.map((x) => [x.step, x.lane, x.completion.length])).toEqual([
    [2, 'fp32', 8],
    [2, 'bf16-amp', 8],
  ]);
});

test('fp32, fp16-amp and bf16-amp learn: the held-out loss falls well below ln(vocab)', async ({ page }) => {
  // 300 steps of these three lanes take ~96 s on SwiftShader (held-out ~2.6 at step 300); the
  // loss is already ~3.1 by step 25, so 60 steps keep this test near 20 s.
  test.setTimeout(120_000);
  await setUp(page);
  const r = await page.evaluate(async (src) => {
    const { heldoutCurves } = await import(/* @vite-ignore */ `${src}train/gpu/selftest/runs.ts`);
    const { data, ctx } = (window as unknown as { __gt: { data: { vocab: number }; ctx: unknown } }).__gt;
    return { vocab: data.vocab, ...(await heldoutCurves(ctx, data, ['fp32', 'fp16-amp', 'bf16-amp'], 60, 20, 1e-2)) };
  }, SRC);
  for (const c of r.curves) console.log(`${c.lane}: ${c.points.map(([s, l]: [number, number]) => `${s}:${l.toFixed(3)}`).join(' ')}`);
  console.log(`60 steps of 3 lanes: ${(r.ms / 1000).toFixed(1)} s`);
  const lnV = Math.log(r.vocab);
  for (const c of r.curves) {
    expect(c.diverged, c.lane).toBe(false);
    expect(c.points.map((p: [number, number]) => p[0]), c.lane).toEqual([20, 40, 60]);
    const last = c.points.at(-1)[1];
    expect(last, `${c.lane} held-out loss at step 60 (ln V = ${lnV.toFixed(3)})`).toBeLessThan(lnV - 1);
  }
  // Same seed, same batches: the recipes' curves stay close.
  const finals = r.curves.map((c: { points: [number, number][] }) => c.points.at(-1)![1]);
  expect(Math.max(...finals) - Math.min(...finals)).toBeLessThan(0.15);
});
