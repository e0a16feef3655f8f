import { test, expect, type Page, type Download } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';

// A lost GPU device, as a person meets it: the run trains on WebGPU, the device goes (the help
// dialog's "Simulate a GPU device loss" destroys it in the worker, which reports it as the
// browser would), the lab pauses and says why, and Resume goes on from the last weight snapshot
// (every 50 steps) on a new device. Independent expectations: the exported CSV before the loss
// holds every step once; after the resume it holds every step once again, and the steps trained
// twice (after the snapshot) have the same losses both times, since the same batches meet the
// same restored state.

// Outside test-results/, which every Playwright run empties.
const SHOTS = process.env.LAB_SCREENS ?? 'out/lab-screens';

const stepCounter = (page: Page) => page.locator('[data-counter="step"]');
const button = (page: Page, action: string) => page.locator(`[data-action="${action}"]`);
const step = async (page: Page) => Number(await stepCounter(page).textContent());

async function lossesOf(page: Page): Promise<Map<string, Map<number, number>>> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), button(page, 'export-csv').click()]);
  const rows = readFileSync(await download.path()).toString('utf8').trim().split('\n').slice(1).map((r) => r.split(','));
  const out = new Map<string, Map<number, number>>();
  for (const [s, lane, metric, value] of rows) {
    if (metric !== 'loss') continue;
    const byStep = out.get(lane) ?? new Map<number, number>();
    expect(byStep.has(Number(s)), `${lane} step ${s} appears once`).toBe(false);
    byStep.set(Number(s), Number(value));
    out.set(lane, byStep);
  }
  return out;
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('a lost GPU device pauses the run with the reason; Resume goes on from the last snapshot', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?model=tiny&lane=fp32&lane=bf16-amp');
  await button(page, 'play').click();
  await expect.poll(() => step(page), { timeout: 200_000 }).toBeGreaterThanOrEqual(53);
  await expect(page.locator('[data-counter="backend"]')).toHaveText('WebGPU');

  await page.keyboard.press('?');
  await button(page, 'lose-device').click();
  const notice = page.locator('[data-notice="device-lost"]');
  await expect(notice).toContainText('The GPU device was lost (destroyed)');
  const lostAt = Number((await notice.textContent())?.match(/stopped after step (\d+)/)?.[1]);
  expect(lostAt).toBeGreaterThanOrEqual(53);
  const resume = button(page, 'resume');
  await expect(resume).toHaveText('Resume from step 50');
  await expect(page.locator('[data-counter="state"]')).toHaveAttribute('data-state', 'unconfigured');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/lab-device-lost.png` });

  // The curves so far stay on screen and in the export while the run is down.
  const before = await lossesOf(page);
  for (const lane of ['fp32', 'bf16-amp']) expect([...before.get(lane)!.keys()]).toEqual(oneToN(lostAt));

  await resume.click();
  await expect(notice).toHaveCount(0);
  await expect.poll(() => step(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(lostAt + 3);
  await button(page, 'play').click();
  await expect(page.locator('[data-counter="state"]')).toHaveAttribute('data-state', 'paused');
  await expect(page.locator('[data-counter="backend"]')).toHaveText('WebGPU');
  const end = await step(page);

  const after = await lossesOf(page);
  for (const lane of ['fp32', 'bf16-amp']) {
    const losses = after.get(lane)!;
    expect([...losses.keys()]).toEqual(oneToN(end));
    for (let s = 1; s <= lostAt; s++) expect(losses.get(s), `${lane} step ${s}`).toBe(before.get(lane)!.get(s));
  }
});
