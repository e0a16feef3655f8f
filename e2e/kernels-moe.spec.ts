import { test, expect } from '@playwright/test';

// MoE kernels (router, dispatch, gather, combine, router losses; forward and backward) against
// the CPU reference in the page, on fp32/fp16/bf16 storage.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
}

test('MoE kernels match the CPU reference', async ({ page }) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.suite.run();
  }, '/src/model/selftest/moe.ts')) as Result[];
  for (const r of results)
    console.log(`${r.pass ? 'PASS' : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`);
  expect(results.length).toBeGreaterThan(10);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
