import { test, expect, type Page } from '@playwright/test';

// The Diagnostics tab: run the conversion and engine suites from the page (the kernel suites have
// their own specs; `npm run diagnose` runs everything), then check the summary, the checks and
// the device findings against what the browser's WebGPU does when asked directly.

/** Does this device flush f32 subnormal results? Asked with its own one-line shader, not the lab's. */
async function flushesSubnormals(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter();
    const device = await adapter!.requestDevice();
    const code = `
      @group(0) @binding(0) var<storage, read_write> io: array<u32>;
      @compute @workgroup_size(1) fn main() { io[0] = bitcast<u32>(bitcast<f32>(io[0]) * bitcast<f32>(io[1])); }`;
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
    });
    const io = device.createBuffer({
      size: 8,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const read = device.createBuffer({
      size: 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    // 2^-126 (smallest normal) * 0.5 = 2^-127, a subnormal: bits 0x00400000 unless flushed.
    device.queue.writeBuffer(io, 0, new Uint32Array([0x00800000, 0x3f000000]));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: io } }],
      }),
    );
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(io, 0, read, 0, 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const bits = new Uint32Array(read.getMappedRange())[0];
    device.destroy();
    return (bits & 0x7fffffff) === 0;
  });
}

test('the Diagnostics tab runs the self-tests and says what the GPU does', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?suites=conversion,engine');
  await page.getByRole('button', { name: 'Diagnostics' }).click();
  await expect(page).toHaveURL(/view=diagnostics/);
  const main = page.locator('main');
  const run = main.getByRole('button', { name: 'Run self-tests' });
  await expect(run).toBeEnabled();
  await expect(main.getByTestId('diag-adapter-name')).toContainText(/swiftshader/i);
  await expect(main.locator('.diag-chip:not(.off)')).toHaveText(['Conversions', 'Engine']);
  // Nothing runs until asked.
  await expect(main.getByTestId('diag-summary')).toHaveCount(0);
  await expect(main.getByTestId('finding-subnormals')).toContainText('Not measured yet');
  await page.screenshot({ path: 'test-results/diagnostics-before.png', fullPage: true });

  await run.click();
  await expect(main.getByRole('status').first()).toContainText(/suite \d of 2|f32 arithmetic/);
  const summary = main.getByTestId('diag-summary');
  await expect(summary).toBeVisible({ timeout: 150_000 });

  // Every row drawn is a pass, and the summary counts exactly those rows.
  const rows = main.locator('table.diag-checks tr[data-check]');
  const n = await rows.count();
  expect(n).toBeGreaterThan(25);
  const failed = await main.locator('tr[data-pass="false"]').allInnerTexts();
  expect(failed, 'failing checks').toEqual([]);
  await expect(summary).toContainText(`All ${n} checks pass`);
  await expect(summary).toContainText("This GPU's numbers can be trusted for the lab");
  await expect(main.locator('section[data-suite="conversion"]')).toContainText('encode fp16');
  await expect(main.locator('section[data-suite="engine"]')).toContainText('device loss');

  // Findings agree with the device asked directly (SwiftShader flushes).
  const flushes = await flushesSubnormals(page);
  const sub = main.getByTestId('finding-subnormals');
  await expect(sub).toContainText(
    flushes ? 'This device flushes f32 subnormals to zero' : 'This device keeps f32 subnormals',
  );
  await expect(sub).toContainText('1.18e-38');
  await expect(main.getByTestId('finding-rounding')).toContainText(/round/);
  await expect(main.getByTestId('finding-subgroup')).toContainText(
    /Subgroup size \d+|No subgroups/,
  );

  // The copied JSON holds the same checks and findings.
  await summary.getByRole('button', { name: 'Copy report as JSON' }).click();
  await expect(summary).toContainText('Copied to the clipboard');
  const report = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(report.adapter.architecture).toMatch(/swiftshader/i);
  expect(report.checks).toHaveLength(n);
  expect(report.checks.every((c: { pass: boolean }) => c.pass)).toBe(true);
  expect(report.findings.subnormals.flushesResults).toBe(flushes);
  expect(report.summary).toMatchObject({ total: n, failed: 0 });
  await page.screenshot({ path: 'test-results/diagnostics-after.png', fullPage: true });
});

test('a link naming an unknown suite says which suites exist', async ({ page }) => {
  await page.goto('/?view=diagnostics&suites=engine,nonsense');
  await expect(page.getByRole('alert')).toContainText('"nonsense"');
  await expect(page.getByRole('alert')).toContainText('Known: conversion, engine');
  await expect(page.getByRole('button', { name: 'Run self-tests' })).toBeDisabled();
});

test('without WebGPU the run says the checks could not run, and why', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/?view=diagnostics&suites=engine');
  await expect(page.getByRole('alert').first()).toContainText('WebGPU is not available');
  await page.getByRole('button', { name: 'Run self-tests' }).click();
  const summary = page.getByTestId('diag-summary');
  await expect(summary).toContainText('1 of 1 check fails');
  await expect(summary).toContainText('The GPU checks could not run');
  await expect(summary).toContainText('navigator.gpu is missing');
  await expect(page.getByTestId('diag-findings')).toContainText('could not be measured');
});
