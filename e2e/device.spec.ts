import { test, expect, type Page } from '@playwright/test';

// The Device tab, checked against what the browser's WebGPU reports when asked directly.

async function adapterFacts(page: Page) {
  return page.evaluate(async () => {
    const a = await navigator.gpu.requestAdapter();
    if (!a) return null;
    return {
      vendor: a.info.vendor,
      architecture: a.info.architecture,
      isFallbackAdapter: a.info.isFallbackAdapter,
      features: [...a.features],
      maxBufferSize: a.limits.maxBufferSize,
    };
  });
}

test('the Device tab describes the adapter', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Device' }).click();
  await expect(page).toHaveURL(/view=device/);
  const facts = await adapterFacts(page);
  expect(facts, 'this machine gives a WebGPU adapter').not.toBeNull();
  const main = page.locator('main');
  await expect(main.getByRole('heading', { name: 'Adapter' })).toBeVisible();
  await expect(main).toContainText(facts!.vendor);
  await expect(main).toContainText(facts!.architecture);

  // This workplace's Chromium runs WebGPU on SwiftShader, and the page must say so.
  expect(facts!.architecture).toMatch(/swiftshader/i);
  await expect(page.getByTestId('software-fallback')).toContainText('yes');
  await expect(main).toContainText('Software adapter (SwiftShader): real WebGPU, slow');
  await expect(main).toContainText("timings are not your GPU's");

  for (const f of ['shader-f16', 'timestamp-query', 'subgroups']) {
    await expect(main.locator(`tr[data-feature="${f}"]`)).toContainText(
      facts!.features.includes(f) ? 'yes' : 'no',
    );
  }
  await expect(
    main.getByRole('heading', { name: `All features (${facts!.features.length})` }),
  ).toBeVisible();
  for (const f of facts!.features) await expect(main.locator('.feature-list')).toContainText(f);
  await expect(main.locator('tr[data-limit="maxBufferSize"]')).toContainText(
    facts!.maxBufferSize.toLocaleString('en-US'),
  );
  await page.screenshot({ path: 'test-results/device.png', fullPage: true });
});

test('without navigator.gpu the page explains what to do', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/?view=device');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('WebGPU is not available');
  await expect(notice).toContainText('Chrome or Edge 113');
  await expect(notice).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await expect(page.getByRole('heading', { name: 'Precision Lab' })).toBeVisible();
  expect((await page.locator('main').innerText()).length).toBeGreaterThan(100);
  await page.screenshot({ path: 'test-results/device-no-webgpu.png', fullPage: true });
});

test('outside a secure context the notice says so', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    Object.defineProperty(window, 'isSecureContext', { get: () => false, configurable: true });
  });
  await page.goto('/?view=device');
  await expect(page.getByRole('alert')).toContainText('only offered to secure pages');
  await expect(page.getByRole('alert')).toContainText('https://');
});

test('an adapter request that gives null is explained', async ({ page }) => {
  await page.addInitScript(() => {
    GPU.prototype.requestAdapter = async () => null;
  });
  await page.goto('/?view=device');
  await expect(page.getByRole('alert')).toContainText('requestAdapter() returned null');
  await expect(page.getByRole('alert')).toContainText('chrome://gpu');
});
