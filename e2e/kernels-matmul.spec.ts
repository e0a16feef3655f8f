import { test, expect } from '@playwright/test';

// The matmul family on the GPU against the CPU reference, run in the page from the source modules
// the Vite dev server serves: NN/NT/TN forward and backward for fp32/fp16/bf16 with both kernel
// variants, grouped per-expert matmuls, event counts, the variant chooser.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

test('matmul kernels equal the CPU reference (both variants, three formats, grouped)', async ({
  page,
}) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.suite.run();
  }, '/src/model/selftest/matmul.ts')) as Result[];
  for (const r of results) {
    console.log(
      `${r.pass ? (r.skipped ? 'SKIP' : 'PASS') : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`,
    );
  }
  expect(results.length).toBeGreaterThan(60);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
