import { test, expect } from '@playwright/test';

// The optimizer kernels (AdamW, norms, clipping, unscale, GradScaler) against the CPU reference,
// in the page: the Vite dev server serves the source modules, so the self-test runs as shipped.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

test('optimizer kernels equal the CPU reference and numerics GradScaler', async ({ page }) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.suite.run();
  }, '/src/model/selftest/optim.ts')) as Result[];
  for (const r of results) {
    console.log(
      `${r.pass ? (r.skipped ? 'SKIP' : 'PASS') : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`,
    );
  }
  expect(results.length).toBeGreaterThan(25);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
