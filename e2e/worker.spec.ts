// The training worker in the browser, through the LabClient the UI uses: the tiny model with two
// lanes on the CPU backend, Tiny Shakespeare loaded inside the worker. Independent expectations:
// the first loss of an untrained character model is near ln(65) (65 symbols), the expert load of
// a step counts B*T*k routed slots, a reset replays the same first step bit for bit.
import { test, expect, type Page } from '@playwright/test';

type Message = { type: string; [key: string]: unknown };
type Frame = {
  step: number;
  lane: string;
  loss: number;
  tokensPerSecond: number;
  lossScale: number;
  weightNormTotal: number;
  gradZeroFraction: number;
  expertLoad: number[][];
  events: Record<string, Record<string, number[]>>;
  heldoutLoss?: number;
};

const VOCAB = 65; // Tiny Shakespeare's characters
const TINY = {
  vocab: VOCAB,
  d: 32,
  layers: 1,
  heads: 2,
  experts: 4,
  topK: 2,
  context: 16,
  batch: 8,
};
const lane = (id: string, recipe: string) => ({
  id,
  recipe,
  router: 'f32',
  lr: 1e-3,
  schedule: { kind: 'constant' },
  gradClip: 1,
  balanceCoef: 0.01,
  zLossCoef: 0.001,
  seed: 1337,
});
const METRICS = {
  heldoutEvery: 2,
  heldoutBatches: 1,
  sampleEvery: 0,
  sampleLength: 0,
  sampleTemperature: 0,
  histogramEvery: 0,
};
const configure = (model: object = TINY, backend = 'cpu') => ({
  type: 'configure',
  run: {
    model,
    lanes: [lane('fp32', 'fp32'), lane('bf16', 'bf16-amp')],
    dataSeed: 3,
    metrics: METRICS,
  },
  dataset: 'shakespeare',
  backend,
});

declare global {
  interface Window {
    __lab: { send(c: unknown): void; messages: Message[]; dispose(): void };
  }
}

/** A LabClient in the page whose messages collect in window.__lab.messages. */
async function openClient(page: Page, workerSource?: string): Promise<void> {
  await page.evaluate(
    async ([path, source]) => {
      const { createLabClient } = await import(/* @vite-ignore */ path);
      const worker = source
        ? new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })))
        : undefined;
      const client = createLabClient(worker ? { worker } : {});
      const messages: Message[] = [];
      client.subscribe((m: Message) => messages.push(m));
      window.__lab = { send: (c) => client.send(c), messages, dispose: () => client.dispose() };
    },
    ['/src/worker/client.ts', workerSource] as const,
  );
}

const send = (page: Page, command: unknown) => page.evaluate((c) => window.__lab.send(c), command);
const messages = (page: Page) => page.evaluate(() => window.__lab.messages);
const clear = (page: Page) => page.evaluate(() => void (window.__lab.messages.length = 0));
const frames = async (page: Page): Promise<Frame[]> =>
  (await messages(page)).filter((m) => m.type === 'metrics').flatMap((m) => m.frames as Frame[]);

/** Waits for a status message in `state` (and at `step`, when given) and returns it. */
async function status(page: Page, state: string, step?: number): Promise<Message> {
  const handle = await page.waitForFunction(
    ([s, n]) =>
      window.__lab.messages.find(
        (m) => m.type === 'status' && m.state === s && (n === null || m.step === n),
      ),
    [state, step ?? null] as const,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as Message;
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

test('configure two lanes on the CPU, step 3: frames in lockstep with every metric', async ({
  page,
}) => {
  await openClient(page);
  await send(page, configure());
  await status(page, 'paused', 0);
  await send(page, { type: 'step', n: 3 });
  const done = await status(page, 'paused', 3);
  expect(done).toMatchObject({
    backend: 'cpu',
    lanes: [
      { id: 'fp32', state: 'running' },
      { id: 'bf16', state: 'running' },
    ],
  });
  expect(done.fallback).toBeUndefined();
  const all = await messages(page);
  expect(all.filter((m) => m.type === 'error')).toEqual([]);

  const f = await frames(page);
  expect(f.map((x) => [x.step, x.lane])).toEqual([
    [1, 'fp32'],
    [1, 'bf16'],
    [2, 'fp32'],
    [2, 'bf16'],
    [3, 'fp32'],
    [3, 'bf16'],
  ]);
  for (const x of f) {
    expect(Math.abs(x.loss - Math.log(VOCAB)), `loss at step ${x.step}`).toBeLessThan(0.3);
    expect(x.tokensPerSecond).toBeGreaterThan(0);
    expect(x.lossScale).toBe(1);
    expect(x.weightNormTotal).toBeGreaterThan(0);
    expect(x.gradZeroFraction).toBeGreaterThanOrEqual(0);
    expect(x.expertLoad).toHaveLength(TINY.layers);
    expect(x.expertLoad[0]).toHaveLength(TINY.experts);
    expect(x.expertLoad[0].reduce((a, b) => a + b, 0)).toBe(TINY.batch * TINY.context * TINY.topK);
    expect(Object.keys(x.events).sort()).toEqual([
      'nonfinite',
      'overflow',
      'subnormal',
      'underflow',
    ]);
  }
  expect(f.filter((x) => x.heldoutLoss !== undefined).map((x) => [x.step, x.lane])).toEqual([
    [2, 'fp32'],
    [2, 'bf16'],
  ]);
  // Both lanes start from the same weights on the same batch: bf16 autocast is close to fp32.
  expect(Math.abs(f[0].loss - f[1].loss)).toBeLessThan(0.02);
  await page.evaluate(() => window.__lab.dispose());
});

test('play, pause, play again, reset', async ({ page }) => {
  await openClient(page);
  await send(page, configure());
  await status(page, 'paused', 0);
  await send(page, { type: 'play' });
  await page.waitForFunction(() =>
    window.__lab.messages.some(
      (m) => m.type === 'metrics' && (m.frames as Frame[]).some((f) => f.step >= 2),
    ),
  );
  await send(page, { type: 'pause' });
  await page.waitForFunction(
    () =>
      window.__lab.messages.at(-1)?.type === 'status' &&
      window.__lab.messages.at(-1)?.state === 'paused',
  );
  const pausedAt = (await messages(page)).at(-1)?.step as number;
  expect(pausedAt).toBeGreaterThanOrEqual(2);
  const count = (await frames(page)).length;
  expect(count).toBe(pausedAt * 2);
  await page.waitForTimeout(500);
  expect((await frames(page)).length).toBe(count); // paused means no more steps

  await send(page, { type: 'setSpeed', stepsPerSecond: 4 });
  await send(page, { type: 'play' });
  await page.waitForTimeout(1200);
  await send(page, { type: 'pause' });
  await page.waitForFunction(
    () =>
      window.__lab.messages.at(-1)?.type === 'status' &&
      window.__lab.messages.at(-1)?.state === 'paused',
  );
  const after = (await messages(page)).at(-1)?.step as number;
  expect(after).toBeGreaterThan(pausedAt);
  expect(after - pausedAt).toBeLessThanOrEqual(Math.ceil(1.2 * 4) + 2); // the cap held (slack: message latency)
  const steps = (await frames(page)).map((x) => x.step);
  expect(steps).toEqual(Array.from({ length: after }, (_, i) => [i + 1, i + 1]).flat());

  const firstLoss = (await frames(page))[0].loss;
  await clear(page);
  await send(page, { type: 'reset' });
  await status(page, 'paused', 0);
  await send(page, { type: 'step', n: 1 });
  await status(page, 'paused', 1);
  const replay = await frames(page);
  expect(replay.map((x) => x.step)).toEqual([1, 1]);
  expect(replay[0].loss).toBe(firstLoss);
  await page.evaluate(() => window.__lab.dispose());
});

test('an unknown command, an invalid run and a WebGPU request answer in sentences', async ({
  page,
}) => {
  await openClient(page);
  await send(page, { type: 'train' });
  await send(page, configure({ ...TINY, heads: 3 }));
  await status(page, 'unconfigured');
  const errors = (await messages(page)).filter((m) => m.type === 'error');
  expect(errors[0].message).toBe(
    'Unknown command message type "train"; expected one of configure, play, pause, step, reset, setSpeed, resume, loseDevice.',
  );
  expect(errors[1].details).toEqual([
    'heads is 3, which does not divide d = 32; each head needs d / heads channels, so pick heads among 1, 2, 4, 8, 16, 32.',
  ]);
  expect(errors[1].message).toBe(
    `The run was not configured: ${(errors[1].details as string[])[0]}`,
  );

  // 'webgpu' gets the GPU trainer (its own spec: e2e/gpu-trainer.spec.ts), with no fallback.
  await clear(page);
  await send(page, configure(TINY, 'webgpu'));
  const s = await status(page, 'paused', 0);
  expect(s.backend).toBe('webgpu');
  expect(s.fallback).toBeUndefined();
  expect((await messages(page)).filter((m) => m.type === 'error')).toEqual([]);
  await page.evaluate(() => window.__lab.dispose());
});

test('a worker that crashes or speaks nonsense shows up as an error sentence', async ({ page }) => {
  await openClient(page, 'throw new Error("boom")');
  await page.waitForFunction(() => window.__lab.messages.length > 0);
  const [crash] = await messages(page);
  expect(crash.type).toBe('error');
  expect(crash.message).toMatch(
    /^The training worker stopped with an error.*boom\. Reload the page/,
  );
  await page.evaluate(() => window.__lab.dispose());

  await openClient(page, 'postMessage({ type: "bogus" })');
  await page.waitForFunction(() => window.__lab.messages.length > 0);
  const [nonsense] = await messages(page);
  expect(nonsense.message).toMatch(
    /^The training worker sent a message the lab cannot read: Unknown worker message type "bogus"/,
  );
  await page.evaluate(() => window.__lab.dispose());
});
