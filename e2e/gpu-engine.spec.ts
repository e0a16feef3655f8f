import { test, expect } from '@playwright/test';
import { expectAllPass, runSuite } from './support/suite';

// Engine plumbing in the page: WGSL errors name their kernel, device loss is heard, the buffer
// pool reuses and counts bytes, tensors round-trip, pipelines and launches are cached.
test('GPU engine plumbing: errors, device loss, pool, tensors, caches', async ({ page }) => {
  const results = await runSuite(page, '/src/gpu/selftest/engine.ts', 'runEngineSelfTests');
  expect(results.length).toBeGreaterThan(5);
  expectAllPass(results);
});
