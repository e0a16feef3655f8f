import { test, expect } from '@playwright/test';

// The transformer kernels (embedding, layer norm, GELU, attention, cross-entropy; forward and
// backward; fp32 / fp16 / bf16 storage) against the CPU reference, in the page.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

test('transformer kernels match the CPU reference in every storage format', async ({ page }) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.suite.run();
  }, '/src/model/selftest/transformer.ts')) as Result[];
  for (const r of results) {
    console.log(
      `${r.pass ? (r.skipped ? 'SKIP' : 'PASS') : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`,
    );
  }
  expect(results.length).toBeGreaterThanOrEqual(30);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
