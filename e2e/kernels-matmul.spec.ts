import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// The matmul family on the GPU against the CPU reference, run in the page from the source modules
// the Vite dev server serves: NN/NT/TN forward and backward for fp32/fp16/bf16 with both kernel
// variants, grouped per-expert matmuls, event counts, the variant chooser.
test('matmul kernels equal the CPU reference (both variants, three formats, grouped)', async ({
  page,
}) => {
  const results = await runSuite(page, '/src/model/selftest/matmul.ts');
  expect(results.length).toBeGreaterThan(60);
  expectAllPass(results);
});
