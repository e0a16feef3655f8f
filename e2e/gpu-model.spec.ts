import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// The MoE transformer on the GPU against the CPU reference, every recipe: forward, gradients,
// cast events and three full training steps, in the page (the dev server serves the source
// modules, so the self-test runs as shipped).
test('the GPU model trains as the CPU reference does, under every recipe', async ({ page }) => {
  test.setTimeout(170_000);
  const results = await runSuite(page, '/src/model/selftest/model.ts');
  // 16 cases x (forward, gradients, events, steps) + timing.
  expect(results.length).toBe(16 * 4 + 1);
  expectAllPass(results);
});
