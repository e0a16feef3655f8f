import { test, expect } from '@playwright/test';

test('the app loads and WebGPU gives an adapter', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Precision Lab' })).toBeVisible();
  const info = await page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return null;
    return { ...adapter.info, features: [...adapter.features] } as Record<string, unknown>;
  });
  console.log(JSON.stringify(info));
  expect(info).not.toBeNull();
});
