import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// MoE kernels (router, dispatch, gather, combine, router losses; forward and backward) against
// the CPU reference in the page, on fp32/fp16/bf16 storage.
test('MoE kernels match the CPU reference', async ({ page }) => {
  const results = await runSuite(page, '/src/model/selftest/moe.ts');
  expect(results.length).toBeGreaterThan(10);
  expectAllPass(results);
});
