import { test, expect } from '@playwright/test';

// The MoE transformer on the GPU against the CPU reference, every recipe: forward, gradients,
// cast events and three full training steps, in the page (the dev server serves the source
// modules, so the self-test runs as shipped).
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

test('the GPU model trains as the CPU reference does, under every recipe', async ({ page }) => {
  test.setTimeout(170_000);
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.suite.run();
  }, '/src/model/selftest/model.ts')) as Result[];
  for (const r of results) {
    console.log(`${r.pass ? 'PASS' : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`);
  }
  // 16 cases x (forward, gradients, events, steps) + timing.
  expect(results.length).toBe(16 * 4 + 1);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
