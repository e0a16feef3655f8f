import { test, expect } from '@playwright/test';

// Engine plumbing in the page: WGSL errors name their kernel, device loss is heard, the buffer
// pool reuses and counts bytes, tensors round-trip, pipelines and launches are cached.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
}

test('GPU engine plumbing: errors, device loss, pool, tensors, caches', async ({ page }) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.runEngineSelfTests();
  }, '/src/gpu/selftest/engine.ts')) as Result[];
  for (const r of results)
    console.log(`${r.pass ? 'PASS' : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`);
  expect(results.length).toBeGreaterThan(5);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
