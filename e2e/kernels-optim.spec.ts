import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// The optimizer kernels (AdamW, norms, clipping, unscale, GradScaler) against the CPU reference,
// in the page: the Vite dev server serves the source modules, so the self-test runs as shipped.
test('optimizer kernels equal the CPU reference and numerics GradScaler', async ({ page }) => {
  const results = await runSuite(page, '/src/model/selftest/optim.ts');
  expect(results.length).toBeGreaterThan(25);
  expectAllPass(results);
});
