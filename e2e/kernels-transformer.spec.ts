import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// The transformer kernels (embedding, layer norm, GELU, attention, cross-entropy; forward and
// backward; fp32 / fp16 / bf16 storage) against the CPU reference, in the page.
test('transformer kernels match the CPU reference in every storage format', async ({ page }) => {
  const results = await runSuite(page, '/src/model/selftest/transformer.ts');
  expect(results.length).toBeGreaterThanOrEqual(30);
  expectAllPass(results);
});
