import { test, expect, type Page, type Download } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';

// The Lab as a person uses it: pick presets, run them, pause, step, edit lanes, share the link,
// export, and survive bad links and bad settings. The tiny model keeps steps short. Tests that
// need dozens of steps choose the CPU reference (backend=cpu: same numbers, and several times
// faster than WebGPU on this machine's software rasteriser); the others train on whatever
// backend the worker provides.

// Outside test-results/, which every Playwright run empties.
const SHOTS = process.env.LAB_SCREENS ?? 'out/lab-screens';

const stepCounter = (page: Page) => page.locator('[data-counter="step"]');
const stateCounter = (page: Page) => page.locator('[data-counter="state"]');
const button = (page: Page, action: string) => page.locator(`[data-action="${action}"]`);
const lossPath = (page: Page, lane: string) => page.locator(`[data-chart="loss"] path[data-lane="${lane}"]`);

async function step(page: Page): Promise<number> {
  return Number(await stepCounter(page).textContent());
}

/** The first run of a fresh page waits for the training worker to load (slow on a cold dev server). */
async function waitForStep(page: Page, atLeast: number, timeout = 150_000): Promise<void> {
  await expect.poll(() => step(page), { timeout, message: `the step counter reaches ${atLeast}` }).toBeGreaterThanOrEqual(atLeast);
}

async function pause(page: Page): Promise<void> {
  await button(page, 'play').click();
  await expect(stateCounter(page)).toHaveAttribute('data-state', 'paused');
}

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

test.beforeEach(async ({ page }) => {
  page.on('dialog', (d) => {
    throw new Error(`A dialog opened: ${d.message()}`);
  });
});

test('the Lab is the first tab; each preset loads, runs on the tiny model, and its charts and counters move', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto('/?backend=cpu');
  await expect(page.getByRole('button', { name: 'Lab' })).toHaveAttribute('aria-current', 'page');
  const presets = page.getByLabel('Preset experiment');
  const ids = await presets.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(ids.length).toBeGreaterThanOrEqual(6);
  for (const id of ids) {
    await presets.selectOption(id);
    const title = (await presets.locator(`option[value="${id}"]`).textContent())?.trim() ?? '';
    await expect(page.locator('.preset-panel h2')).toHaveText(title);
    // The first preset is the default, which the link leaves out.
    if (id === ids[0]) await expect(page).not.toHaveURL(/preset=/);
    else await expect(page).toHaveURL(new RegExp(`preset=${id}`));
    await page.getByLabel('Model size').selectOption('tiny');
    if ((await step(page)) > 0) {
      // The old run is still on screen; Reset starts the new settings at step 0.
      await button(page, 'reset').click();
      await expect(stepCounter(page)).toHaveText('0', { timeout: 150_000 });
    }
    await button(page, 'play').click();
    await waitForStep(page, 4);
    const lanes = await page.locator('.lane-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-lane') ?? ''));
    const first = lossPath(page, lanes[0]);
    const d1 = await first.getAttribute('d');
    await waitForStep(page, 7);
    await expect.poll(() => first.getAttribute('d'), { message: 'the loss curve grows' }).not.toBe(d1);
    // Every lane has a loss curve and a memory bar.
    for (const lane of lanes) {
      await expect(lossPath(page, lane)).toHaveAttribute('d', /^M/);
      await expect(page.locator(`[data-chart="memory"] g[data-lane="${lane}"] rect[data-category]`).first()).toBeVisible();
    }
    await pause(page);
  }
});

test('pause, single step by button and by keyboard, reset, help overlay', async ({ page }) => {
  await page.goto('/?preset=bf16-needs-no-scaling&model=tiny');
  await button(page, 'step').click();
  await expect(stepCounter(page)).toHaveText('1', { timeout: 150_000 });
  await button(page, 'step').click();
  await expect(stepCounter(page)).toHaveText('2');
  await page.locator('body').press('s');
  await expect(stepCounter(page)).toHaveText('3');
  await page.locator('body').press(' ');
  await expect(stateCounter(page)).toHaveAttribute('data-state', 'playing');
  await waitForStep(page, 6);
  await page.locator('body').press(' ');
  await expect(stateCounter(page)).toHaveAttribute('data-state', 'paused');
  const paused = await step(page);
  await page.waitForTimeout(800);
  expect(await step(page), 'a paused run does not move').toBe(paused);
  await button(page, 'step').click();
  await expect(stepCounter(page)).toHaveText(String(paused + 1));
  await page.locator('body').press('r');
  await expect(stepCounter(page)).toHaveText('0');
  await expect(lossPath(page, 'fp32')).toHaveCount(0);

  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Play or pause');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('edit lanes, and a reload of the shared link gives the same configuration', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?preset=fp32-vs-fp16-vs-bf16&model=tiny&backend=cpu');
  // Change the recipe of the third lane, rename and recolour the first, add a lane.
  await page.getByLabel('Recipe of lane bf16-amp').selectOption('bf16-pure');
  await page.getByLabel('Name of lane fp32').fill('Reference, f32');
  await page.locator('.lane-card[data-lane="fp32"] .swatch-button').first().click();
  await page.getByRole('button', { name: 'black' }).click();
  await page.getByLabel('Recipe of the new lane').selectOption('fp16-amp-noscale');
  await button(page, 'add-lane').click();
  // A lane setting through the editor.
  await page.locator('.lane-card[data-lane="fp16-amp"] [data-action="edit-lane"]').click();
  const editor = page.locator('.lane-editor[data-lane="fp16-amp"]');
  await editor.locator('[data-field="growth_interval"] input').fill('50');
  await editor.locator('[data-field="lr"] input').fill('0.003');
  await page.getByLabel('Steps per second cap').selectOption('5');
  await expect(page).toHaveURL(/lane=fp16-amp,lr:0.003,growth_interval:50/);
  await expect(page).toHaveURL(/lane=bf16-pure,id:bf16-amp/);
  await expect(page).toHaveURL(/sps=5/);

  // The legend follows the names.
  await expect(page.locator('[data-chart="loss"] .legend')).toContainText('Reference, f32');
  await expect(page.locator('[data-chart="loss"] .legend')).toContainText('FP16, no loss scaling');

  // Run the edited lanes a little: the changed recipe trains.
  await button(page, 'play').click();
  await waitForStep(page, 3);
  await pause(page);
  await expect(lossPath(page, 'bf16-amp')).toHaveAttribute('d', /^M/);
  await expect(page.locator('[data-chart="lost"] .readout')).toContainText('of');

  await button(page, 'copy-link').click();
  await expect(button(page, 'copy-link')).toHaveText('Link copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());

  const settings = async (p: Page) => ({
    lanes: await p.locator('.lane-card').evaluateAll((cards) =>
      cards.map((c) => ({
        id: c.getAttribute('data-lane'),
        name: (c.querySelector('.lane-name') as HTMLInputElement).value,
        recipe: (c.querySelector('.lane-recipe select') as HTMLSelectElement).value,
        colour: getComputedStyle(c.querySelector('.swatch-button') as Element).backgroundColor,
      })),
    ),
    model: await p.getByLabel('Model size').inputValue(),
    speed: await p.getByLabel('Steps per second cap').inputValue(),
    preset: await p.getByLabel('Preset experiment').inputValue(),
  });
  const before = await settings(page);
  const other = await context.newPage();
  await other.goto(link);
  expect(await settings(other)).toEqual(before);
  await other.locator('.lane-card[data-lane="fp16-amp"] [data-action="edit-lane"]').click();
  const otherEditor = other.locator('.lane-editor[data-lane="fp16-amp"]');
  await expect(otherEditor.locator('[data-field="growth_interval"] input')).toHaveValue('50');
  await expect(otherEditor.locator('[data-field="lr"] input')).toHaveValue('0.003');
  await expect(other.locator('[data-notice="url"]')).toHaveCount(0);
  expect(before.lanes.map((l) => l.recipe)).toEqual(['fp32', 'fp16-amp', 'bf16-pure', 'fp16-amp-noscale']);
  expect(before.lanes[0]).toMatchObject({ name: 'Reference, f32', colour: 'rgb(0, 0, 0)' });
});

test('an invalid lane setting gives an inline message and is not applied', async ({ page }) => {
  await page.goto('/?model=tiny');
  await page.locator('.lane-card[data-lane="fp32"] [data-action="edit-lane"]').click();
  const editor = page.locator('.lane-editor[data-lane="fp32"]');
  const lr = editor.locator('[data-field="lr"]');
  await lr.locator('input').fill('-1');
  await expect(lr.getByRole('alert')).toHaveText(/lr is -1; it must be a positive number/);
  await expect(lr.locator('input')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).not.toHaveURL(/lr:-1/);
  const sr = editor.locator('[data-field="stochasticRounding"]');
  await sr.locator('input').check();
  await expect(sr.getByRole('alert')).toContainText('stochasticRounding applies only to weights stored without a master copy');
  await sr.locator('input').uncheck();
  await lr.locator('input').fill('0.02');
  await expect(lr.getByRole('alert')).toHaveCount(0);
  await expect(page).toHaveURL(/lane=fp32,lr:0.02/);
  // GradScaler settings under PyTorch's names, checked by the same validation.
  await editor.locator('[data-field="scalerEnabled"] input').check();
  const growth = editor.locator('[data-field="growth_factor"]');
  await growth.locator('input').fill('0.5');
  await expect(growth.getByRole('alert')).toContainText('growth_factor');
});

test('a malformed link gives a notice naming each bad value, as text, and a working page', async ({ page }) => {
  await page.goto(
    '/?model=huge&lane=fp99&lane=fp16-amp,lr:abc&lane=bf16-pure,sr:1&sps=-1&smooth=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&bogus=1',
  );
  const notice = page.locator('[data-notice="url"]');
  await expect(notice).toBeVisible();
  for (const named of ['“huge”', '“fp99”', '“abc”', 'sps', '<img src=x onerror=alert(1)>', '“bogus”']) {
    await expect(notice).toContainText(named);
  }
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  // What could be read was used: two lanes, the rest defaults.
  await expect(page.locator('.lane-card')).toHaveCount(2);
  await expect(page.getByLabel('Recipe of lane bf16-pure')).toHaveValue('bf16-pure');
  await page.getByLabel('Model size').selectOption('tiny');
  await button(page, 'step').click();
  await expect(stepCounter(page)).toHaveText('1', { timeout: 150_000 });
  await page.getByRole('button', { name: 'Dismiss' }).first().click();
  await expect(notice).toHaveCount(0);
});

test('exports: CSV, JSON, and every chart as PNG and SVG', async ({ page }) => {
  await page.goto('/?preset=bf16-pure-loses-updates&model=tiny&sps=20&backend=cpu');
  await button(page, 'play').click();
  await waitForStep(page, 6);
  await pause(page);
  const steps = await step(page);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), button(page, 'export-csv').click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
  const csv = (await saved(csvDownload)).toString('utf8').trim().split('\n');
  expect(csv[0]).toBe('step,lane,metric,value');
  const rows = csv.slice(1).map((r) => r.split(','));
  for (const lane of ['bf16-amp', 'bf16-pure', 'bf16-pure-sr']) {
    const losses = rows.filter((r) => r[1] === lane && r[2] === 'loss');
    expect(losses.map((r) => Number(r[0]))).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(losses.every((r) => Number.isFinite(Number(r[3])))).toBe(true);
  }
  expect(rows.some((r) => r[1] === 'bf16-pure' && r[2] === 'lost_updates')).toBe(true);
  // Per-expert weight norms: the experts of a layer split its four expert tensors between them,
  // so their squares add up to the tensors' squares.
  const norm = (lane: string, name: string) => Number(rows.find((r) => r[0] === String(steps) && r[1] === lane && r[2] === `weight_norm/${name}`)?.[3]);
  for (const lane of ['bf16-amp', 'bf16-pure']) {
    const experts = [0, 1, 2, 3].map((e) => norm(lane, `layer0.expert${e}`) ** 2).reduce((a, b) => a + b, 0);
    const tensors = ['fc1w', 'fc1b', 'fc2w', 'fc2b'].map((t) => norm(lane, `layer0.${t}`) ** 2).reduce((a, b) => a + b, 0);
    expect(Math.abs(experts - tensors) / tensors, `${lane}: experts ${experts} vs tensors ${tensors}`).toBeLessThan(1e-5);
  }

  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), button(page, 'export-json').click()]);
  const doc = JSON.parse((await saved(jsonDownload)).toString('utf8'));
  expect(doc.format).toBe('precision-lab-run');
  expect(doc.lanes.map((l: { config: { id: string } }) => l.config.id)).toEqual(['bf16-amp', 'bf16-pure', 'bf16-pure-sr']);
  expect(doc.model.d).toBe(32);
  expect(doc.series['bf16-pure'].loss.steps).toHaveLength(steps);
  expect(doc.lanes[2].config.stochasticRounding).toBe(true);

  for (const chart of ['loss', 'events', 'histogram', 'memory', 'experts']) {
    const card = page.locator(`[data-chart="${chart}"]`);
    const [png] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'PNG' }).click()]);
    const bytes = await saved(png);
    expect(bytes.subarray(0, 8).toString('hex'), `${chart} PNG signature`).toBe('89504e470d0a1a0a');
    const width = bytes.readUInt32BE(16);
    const svgWidth = await card.locator('svg.chart-svg').first().evaluate((s) => Number(s.getAttribute('width')));
    expect(width, 'the PNG is drawn at twice the size').toBeGreaterThanOrEqual(2 * svgWidth);
    const [svg] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'SVG' }).click()]);
    const text = (await saved(svg)).toString('utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).not.toContain('data-export="skip"');
  }
});

test('the crosshair reads every chart at one step, a legend click hides a lane, a value opens in the Formats explorer', async ({ page }) => {
  await page.goto('/?preset=fp16-without-loss-scaling&model=tiny&backend=cpu');
  await button(page, 'play').click();
  await waitForStep(page, 12);
  await pause(page);
  const plot = page.locator('[data-chart="loss"] rect[data-export="skip"]');
  const box = await plot.boundingBox();
  if (!box) throw new Error('the loss plot has no box');
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  // Charts redraw in background slices: wait until every readout has caught up with the pointer.
  const readouts = () =>
    Promise.all(['loss', 'scale', 'tokens'].map((c) => page.locator(`[data-chart="${c}"] .readout-step`).textContent()));
  // The pointer sits 40% along the x axis, so the hovered step lies well before the last one.
  const last = await step(page);
  await expect
    .poll(async () => {
      const texts = await readouts();
      const hovered = Number(/^step (\d+)$/.exec(texts[0] ?? '')?.[1] ?? NaN);
      return hovered < last && texts.every((t) => t === texts[0]);
    })
    .toBe(true);
  await expect(page.locator('[data-chart="events"] .crosshair')).toHaveCount(5);

  await page.locator('[data-chart="tokens"] .legend-item', { hasText: 'FP16, no loss scaling' }).click();
  await expect(lossPath(page, 'fp16-amp-noscale')).toHaveCount(0);
  await expect(page.locator('[data-chart="scale"] path[data-lane="fp16-amp-noscale"]')).toHaveCount(0);
  await expect(page).toHaveURL(/hide=fp16-amp-noscale/);
  await page.locator('[data-chart="loss"] .legend-item', { hasText: 'FP16, no loss scaling' }).click();
  await expect(lossPath(page, 'fp16-amp-noscale')).toHaveCount(1);

  const value = page.locator('[data-chart="scale"] button.readout-value').nth(1);
  await expect(value).toHaveText('65536');
  await value.click();
  await expect(page).toHaveURL(/view=formats&x=65536/);
  await expect(page.getByLabel('Number x')).toHaveValue('65536');
  await page.goBack();
  await expect(page.getByRole('button', { name: 'Lab' })).toHaveAttribute('aria-current', 'page');
  // The run survived the visit to the explorer.
  expect(await step(page)).toBeGreaterThanOrEqual(12);
});

test('without WebGPU the lab trains on the CPU and says why', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/?model=tiny');
  const banner = page.locator('[data-notice="backend"]');
  await expect(banner).toContainText('navigator.gpu is missing');
  await button(page, 'step').click();
  await expect(stepCounter(page)).toHaveText('1', { timeout: 150_000 });
  await expect(page.locator('[data-counter="backend"]')).toHaveText('CPU reference');
});

for (const [width, height] of [
  [1440, 900],
  [1280, 800],
] as const) {
  test(`screenshots at ${width}x${height}`, async ({ page }) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width, height });
    await page.goto('/?preset=fp16-without-loss-scaling&model=tiny&backend=cpu');
    await button(page, 'play').click();
    await waitForStep(page, 45);
    await pause(page);
    await page.screenshot({ path: `${SHOTS}/lab-${width}x${height}.png` });
    await page.screenshot({ path: `${SHOTS}/lab-${width}x${height}-full.png`, fullPage: true });
    await page.locator('.lane-card[data-lane="fp16-amp"] [data-action="edit-lane"]').click();
    await page.locator('.lane-editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/lab-${width}x${height}-editor.png` });
    // Overlaps: the chart cards of one row do not overlap each other, and no chart is wider than its card.
    const boxes = await page.locator('.chart-card').evaluateAll((cards) =>
      cards.map((c) => {
        const r = c.getBoundingClientRect();
        const svgs = [...c.querySelectorAll('svg.chart-svg')].map((s) => s.getBoundingClientRect().right);
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, svgRight: Math.max(0, ...svgs) };
      }),
    );
    for (const b of boxes) expect(b.svgRight).toBeLessThanOrEqual(b.right + 0.5);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        expect(overlap, `chart cards ${i} and ${j} overlap`).toBe(false);
      }
    }
  });
}
