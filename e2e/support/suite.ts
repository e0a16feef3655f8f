import { expect, type Page } from '@playwright/test';

/** One self-test result as the in-page suites return it (plain JSON). */
export interface SuiteResult {
  name: string;
  pass: boolean;
  detail: string;
  ms: number;
  skipped?: boolean;
}

/**
 * Opens the app, imports a self-test module the Vite dev server serves (so it runs as shipped)
 * and calls one of its exports: `suite` (its `run()`) by default, or a named function. Logs one
 * PASS / SKIP / FAIL line per check, so a failing run shows every detail.
 */
export async function runSuite(
  page: Page,
  modulePath: string,
  entry = 'suite',
): Promise<SuiteResult[]> {
  await page.goto('/');
  const results = (await page.evaluate(
    async ([path, name]) => {
      const m = await import(/* @vite-ignore */ path);
      return name === 'suite' ? m.suite.run() : m[name]();
    },
    [modulePath, entry] as const,
  )) as SuiteResult[];
  for (const r of results) {
    const verdict = r.pass ? (r.skipped ? 'SKIP' : 'PASS') : 'FAIL';
    console.log(`${verdict} ${r.name} (${r.ms} ms): ${r.detail}`);
  }
  return results;
}

/** Every check passed; a failure lists each failing name with its detail. */
export function expectAllPass(results: readonly SuiteResult[]): void {
  expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
}
