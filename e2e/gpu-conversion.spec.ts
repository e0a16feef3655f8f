import { test, expect } from '@playwright/test';

// The GPU conversions against numerics (the CPU truth) and Math.f16round, in the page: the Vite
// dev server serves the source modules, so the self-test runs exactly as the app ships it.
interface Result {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

test('GPU conversions equal numerics bit for bit, events and PRNG included', async ({ page }) => {
  await page.goto('/');
  const results = (await page.evaluate(async (path) => {
    const m = await import(/* @vite-ignore */ path);
    return m.runConversionSelfTests();
  }, '/src/gpu/selftest/conversion.ts')) as Result[];
  for (const r of results) {
    console.log(
      `${r.pass ? (r.skipped ? 'SKIP' : 'PASS') : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`,
    );
  }
  expect(results.length).toBeGreaterThan(20);
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
});
