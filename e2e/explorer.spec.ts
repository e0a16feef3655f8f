import { test, expect, type Page } from '@playwright/test';

// The Formats tab as a person uses it. Expected bits come from the browser's own float hardware
// (Float32Array, Math.f16round / Float16Array), never from src/numerics.

const valueBox = (page: Page) => page.getByLabel('Number x');
const row = (page: Page, format: string) =>
  page.locator(`.rounding-table tr[data-format="${format}"]`);
const cell = (page: Page, format: string, col: string) =>
  row(page, format).locator(`[data-col="${col}"]`);
const bit = (page: Page, format: string, i: number) =>
  page.locator(`.bit-layout[data-format="${format}"] button[data-bit="${i}"]`);

async function typeValue(page: Page, text: string) {
  await valueBox(page).fill(text);
}

/** FP16 bits of v by the browser's native double -> f16 rounding (IEEE round-to-nearest-even). */
async function nativeF16Hex(page: Page, v: number): Promise<string> {
  return page.evaluate((x) => {
    const math = Math as unknown as { f16round(x: number): number };
    const F16 = (
      globalThis as unknown as { Float16Array: new (a: number[]) => { buffer: ArrayBuffer } }
    ).Float16Array;
    const h = new Uint16Array(new F16([math.f16round(x)]).buffer)[0];
    return '0x' + h.toString(16).toUpperCase().padStart(4, '0');
  }, v);
}

test.beforeEach(async ({ page }) => {
  await page.goto('/?view=formats&f=fp32,fp16,bf16,fp8-e4m3,fp8-e5m2');
  await expect(valueBox(page)).toBeVisible();
});

test('65520 overflows FP16 to inf', async ({ page }) => {
  await typeValue(page, '65520');
  await expect(cell(page, 'fp16', 'value')).toHaveText('inf');
  await expect(cell(page, 'fp16', 'hex')).toHaveText(await nativeF16Hex(page, 65520));
  await expect(cell(page, 'fp16', 'hex')).toHaveText('0x7C00');
  await expect(cell(page, 'fp16', 'binary')).toHaveText('0 11111 0000000000');
  await expect(cell(page, 'fp16', 'event')).toHaveText('overflow');
  await expect(cell(page, 'fp16', 'error')).toHaveText('—');
  // One below the threshold rounds down to the largest finite FP16.
  await typeValue(page, '65519');
  await expect(cell(page, 'fp16', 'value')).toHaveText('65504');
  await expect(cell(page, 'fp16', 'event')).toHaveText('inexact');
});

test('1e-40 is subnormal in BF16, with the bits of a round-to-nearest-even truncation of its f32', async ({
  page,
}) => {
  await typeValue(page, '1e-40');
  const expected = await page.evaluate(() => {
    // f32 of 1e-40 is exact-enough here (the f32 step 2^-149 is far below BF16's 2^-133), then
    // BF16 = upper 16 bits of the f32 word, rounded to nearest even on the lower 16.
    const u = new Uint32Array(new Float32Array([Math.fround(1e-40)]).buffer)[0];
    const b = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    return '0x' + b.toString(16).toUpperCase().padStart(4, '0');
  });
  // By hand: BF16's smallest subnormal is 2^(1-127-7) = 2^-133 ≈ 9.18e-41, and 1e-40 / 2^-133 ≈ 1.09
  // rounds to 1 unit: sign 0, exponent 00000000, mantissa 0000001 = 0x0001.
  expect(expected).toBe('0x0001');
  await expect(cell(page, 'bf16', 'hex')).toHaveText(expected);
  await expect(cell(page, 'bf16', 'event')).toHaveText('subnormal');
  await expect(cell(page, 'bf16', 'value')).toHaveText(String(2 ** -133));
  // FP32 keeps it as a subnormal too; FP16 flushes it to zero.
  const f32 = await page.evaluate(() => String(Math.fround(1e-40)));
  await expect(cell(page, 'fp32', 'value')).toHaveText(f32);
  await expect(cell(page, 'fp32', 'event')).toHaveText('subnormal');
  await expect(cell(page, 'fp16', 'event')).toHaveText('underflow');
});

test('event badges explain themselves', async ({ page }) => {
  await typeValue(page, '65520');
  const badge = cell(page, 'fp16', 'event').locator('.badge');
  await expect(badge).toHaveAttribute('data-tip', /result is ±inf/);
  await badge.hover();
  await expect(badge).toHaveAttribute('aria-description', /too large/);
});

test('clicking bits flips them and the value follows', async ({ page }) => {
  await typeValue(page, '1.5');
  await expect(cell(page, 'fp16', 'hex')).toHaveText(await nativeF16Hex(page, 1.5));
  // Sign bit of FP16 (bit 15).
  await bit(page, 'fp16', 15).click();
  await expect(valueBox(page)).toHaveValue('-1.5');
  await expect(cell(page, 'fp16', 'value')).toHaveText('-1.5');
  await expect(bit(page, 'fp16', 15)).toHaveAttribute('aria-pressed', 'true');
  // Lowest exponent bit (bit 10): the browser decodes the flipped pattern as the reference.
  const before = Number.parseInt((await cell(page, 'fp16', 'hex').textContent())!, 16);
  const expected = await page.evaluate((bits) => {
    const F16 = (
      globalThis as unknown as { Float16Array: new (b: ArrayBuffer) => ArrayLike<number> }
    ).Float16Array;
    return String(new F16(new Uint16Array([bits ^ (1 << 10)]).buffer)[0]);
  }, before);
  await bit(page, 'fp16', 10).click();
  await expect(valueBox(page)).toHaveValue(expected);
  await expect(page.getByTestId('decoded-fp16')).toHaveText(expected);
  expect(Number(expected)).not.toBe(-1.5);
});

test('bad input gives a message and the page keeps working', async ({ page }) => {
  await typeValue(page, 'abc');
  await expect(
    page.getByText('“abc” is not a number: type a decimal like 0.1, 6.1e-5, inf or nan.'),
  ).toBeVisible();
  await expect(valueBox(page)).toHaveAttribute('aria-invalid', 'true');
  await expect(row(page, 'fp16')).toBeVisible();
  await typeValue(page, 'nan');
  await expect(cell(page, 'fp16', 'event')).toHaveText('nonfinite');
  await expect(cell(page, 'fp32', 'value')).toHaveText('nan');
  await typeValue(page, '-0');
  await expect(cell(page, 'fp16', 'hex')).toHaveText('0x8000');
});

test('FP16 hex matches the browser for a handful of values', async ({ page }) => {
  const values = [
    '0.1',
    '0.333333333333',
    '-2.5',
    '65519',
    '65504',
    '1e-5',
    '6e-8',
    '2.9802322387695312e-8',
    '3e-8',
    '1e5',
    '-inf',
  ];
  for (const v of values) {
    await typeValue(page, v);
    const want = await nativeF16Hex(page, Number(v.replace('inf', 'Infinity')));
    await expect(cell(page, 'fp16', 'hex'), `fp16 hex of ${v}`).toHaveText(want);
  }
});

test('the state lives in the URL', async ({ page }) => {
  await page.goto('/?view=formats&x=65520&f=fp16,bf16&n=500e9');
  await expect(valueBox(page)).toHaveValue('65520');
  await expect(page.locator('.rounding-table tbody tr')).toHaveCount(2);
  await expect(cell(page, 'fp16', 'value')).toHaveText('inf');
  await expect(page.locator('input[data-format="fp32"]')).not.toBeChecked();
  // 500e9 parameters × 4 B = 2e12 B = 2.0 TB (decimal units).
  await expect(
    page.locator('.memory-table tr[data-recipe="fp32"] [data-col="weights"]'),
  ).toContainText('2.0 TB');

  await typeValue(page, '0.1');
  await page.locator('input[data-format="fp8-e4m3"]').check();
  await expect(page).toHaveURL(/x=0\.1/);
  await expect(page).toHaveURL(/f=fp16,bf16,fp8-e4m3/);
  await page.reload();
  await expect(valueBox(page)).toHaveValue('0.1');
  await expect(page.locator('.rounding-table tbody tr')).toHaveCount(3);
});

test('malformed URL values are ignored with a notice naming the parameter', async ({ page }) => {
  await page.goto('/?view=formats&x=%3Cb%3Ebold%3C/b%3E&f=fp16,fp12&n=lots');
  const notice = page.getByRole('alert').filter({ hasText: 'could not be read' });
  await expect(notice).toContainText('parameter x');
  await expect(notice).toContainText('“<b>bold</b>” is not a number');
  await expect(notice).toContainText('parameter f');
  await expect(notice).toContainText('“fp12” is not a format');
  await expect(notice).toContainText('parameter n');
  await expect(notice.locator('b')).toHaveCount(0);
  // Defaults are shown instead.
  await expect(valueBox(page)).toHaveValue('0.1');
  await expect(row(page, 'fp32')).toBeVisible();
});

test('memory calculator reads model sizes and rejects nonsense', async ({ page }) => {
  const box = page.getByLabel('Parameters N');
  await box.fill('7B');
  // 7e9 × (2 + 2 + 8 + 4) B = 112e9 B.
  await expect(
    page.locator('.memory-table tr[data-recipe="bf16-amp"] [data-col="total"]'),
  ).toContainText('112 GB');
  await box.fill('125M');
  await expect(
    page.locator('.memory-table tr[data-recipe="bf16-pure"] [data-col="total"]'),
  ).toContainText('1.5 GB');
  await box.fill('lots');
  await expect(page.getByText('“lots” is not a parameter count')).toBeVisible();
});

test('screenshots at 1440 and 1280', async ({ page }) => {
  await page.goto('/?view=formats&x=65520&f=fp32,fp16,bf16,fp8-e4m3,fp8-e5m2&n=500e9');
  await expect(row(page, 'fp8-e5m2')).toBeVisible();
  await page.screenshot({ path: 'test-results/explorer-1440.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await typeValue(page, '1e-40');
  await page.locator('.zone-subnormal').first().hover();
  await expect(page.locator('.range-caption')).toContainText('subnormal');
  await page.screenshot({ path: 'test-results/explorer-1280.png', fullPage: true });
  // Nothing wider than the window: no horizontal scrolling at 1280.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
