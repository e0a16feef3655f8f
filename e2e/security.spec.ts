import { test, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';

// The lab keeps to its own origin: every tab and a short training run make no request outside
// it (the page's and the training worker's), the document and the worker script come with a
// Content-Security-Policy that says so, and nothing trips it. Checked on the dev server the other
// specs use and on the built app served by `vite preview` (built here into a temporary folder).
// The policy is read from the responses and checked against what this spec expects, not against
// the code that writes it.

const ROOT = resolve(import.meta.dirname, '..');

type Policy = Map<string, string[]>;

function parsePolicy(text: string | undefined): Policy {
  const policy: Policy = new Map();
  for (const part of (text ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name.toLowerCase(), sources);
  }
  return policy;
}

/** What any deployment of the lab must say; `dev` allows one more script source, a hash. */
function expectStrictPolicy(policy: Policy, where: string, dev: boolean): void {
  const d = (name: string) => policy.get(name) ?? [`(no ${name} in ${where})`];
  expect(d('default-src'), where).toEqual(["'self'"]);
  const scripts = d('script-src');
  expect(scripts[0], where).toBe("'self'");
  expect(scripts.slice(1), `${where}: script-src beyond 'self'`).toEqual(dev ? [expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)] : []);
  expect(d('connect-src'), where).toEqual(["'self'"]);
  expect(d('object-src'), where).toEqual(["'none'"]);
  expect(d('base-uri'), where).toEqual(["'self'"]);
  expect(d('form-action'), where).toEqual(["'none'"]);
  expect(d('style-src'), where).toEqual(["'self'", "'unsafe-inline'"]);
  expect(d('img-src'), where).toEqual(["'self'", 'data:', 'blob:']);
  expect(d('worker-src'), where).toEqual(["'self'", 'blob:']);
  for (const [name, sources] of policy) {
    for (const bad of ["'unsafe-eval'", '*', 'http:', 'https:']) expect(sources, `${where}: ${name}`).not.toContain(bad);
    if (name !== 'style-src') expect(sources, `${where}: ${name}`).not.toContain("'unsafe-inline'");
  }
}

interface Watch {
  requests: string[];
  sockets: string[];
  /** Violations reported to the page's document and to the worker's global scope, and console lines about the policy. */
  violations: () => Promise<string[]>;
  workers: Worker[];
}

/** Listens to everything the context fetches and opens, and for policy violations everywhere. */
async function watch(context: BrowserContext, page: Page): Promise<Watch> {
  const requests: string[] = [];
  const sockets: string[] = [];
  const consoleLines: string[] = [];
  const workers: Worker[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const onConsole = (text: string) => {
    if (/Content.Security.Policy/i.test(text)) consoleLines.push(text);
  };
  page.on('console', (m) => onConsole(m.text()));
  page.on('worker', (w) => {
    workers.push(w);
    w.on('console', (m) => onConsole(m.text()));
    // From the worker's first turn on; a violation while its modules load also reaches the console.
    void w
      .evaluate(() => {
        const scope = self as unknown as { __csp: string[] };
        scope.__csp = [];
        self.addEventListener('securitypolicyviolation', (e) => scope.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      })
      .catch(() => undefined);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const violations = async () => {
    const inPage = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    const inWorkers = await Promise.all(workers.map((w) => w.evaluate(() => (self as unknown as { __csp?: string[] }).__csp ?? []).catch(() => [] as string[])));
    return [...inPage.map((v) => `page: ${v}`), ...inWorkers.flat().map((v) => `worker: ${v}`), ...consoleLines.map((v) => `console: ${v}`)];
  };
  return { requests, sockets, violations, workers };
}

const stepCounter = (page: Page) => page.locator('[data-counter="step"]');

/** Every tab, and three steps of the tiny model on whatever backend the worker picks. */
async function exercise(page: Page): Promise<void> {
  await page.locator('[data-action="play"]').click();
  await expect.poll(async () => Number(await stepCounter(page).textContent()), { timeout: 150_000, message: 'the run reaches step 3' }).toBeGreaterThanOrEqual(3);
  await page.locator('[data-action="play"]').click();
  await expect(page.locator('[data-counter="state"]')).toHaveAttribute('data-state', 'paused');
  const tab = (name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });
  await tab('Formats').click();
  await expect(page.getByRole('heading', { name: 'Bit layout' })).toBeVisible();
  await tab('Device').click();
  await expect(page.getByRole('heading', { name: 'Adapter' })).toBeVisible();
  await tab('Diagnostics').click();
  await expect(page.locator('.diagnostics-page')).toBeVisible({ timeout: 60_000 });
  await tab('Lab').click();
  await expect(stepCounter(page)).not.toHaveText('0');
}

/** The whole check against one server; `dev`: the dev server's policy (one hashed inline script). */
async function checkOrigin(page: Page, context: BrowserContext, base: string, dev: boolean): Promise<void> {
  const origin = new URL(base).origin;
  const seen = await watch(context, page);
  const workerScripts: { url: string; csp: string | undefined }[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script' && /trainingWorker/.test(r.url())) workerScripts.push({ url: r.url(), csp: r.headers()['content-security-policy'] });
  });
  const response = await page.goto(`${base}/?model=tiny`);
  if (!response) throw new Error(`No response for ${base}`);
  expectStrictPolicy(parsePolicy(response.headers()['content-security-policy']), `the page's Content-Security-Policy header (${base})`, dev);
  if (!dev) {
    // The built index.html carries the policy itself, for hosts that add no header.
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expectStrictPolicy(parsePolicy(meta ?? undefined), 'the built index.html <meta> policy', false);
  }
  await exercise(page);

  const outside = seen.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(`blob:${origin}/`) && !u.startsWith('data:'));
  expect(outside, 'requests outside the origin').toEqual([]);
  expect(seen.sockets.filter((u) => new URL(u).host !== new URL(origin).host), 'websockets to another host').toEqual([]);
  expect(await seen.violations(), 'Content-Security-Policy violations').toEqual([]);

  // The watch saw the worker: its script (with the policy on it) and the training text it fetched.
  expect(seen.workers.length, 'the training worker started').toBeGreaterThanOrEqual(1);
  expect(workerScripts.length, 'the worker script was loaded').toBeGreaterThanOrEqual(1);
  for (const w of workerScripts) expectStrictPolicy(parsePolicy(w.csp), `the worker script's policy (${w.url})`, dev);
  expect(seen.requests.some((u) => u.startsWith(`${origin}/`) && u.includes('tinyshakespeare.txt')), 'the worker fetched the training text').toBe(true);

  // And the violation listeners hear a violation: a fetch to another origin, from the page and
  // from the worker, is refused and reported.
  const elsewhere = 'http://127.0.0.1:9/blocked-by-csp';
  await page.evaluate((url) => fetch(url).catch(() => undefined), elsewhere);
  await seen.workers[0].evaluate((url) => fetch(url).catch(() => undefined), elsewhere);
  await expect.poll(async () => (await seen.violations()).filter((v) => v.includes('connect-src') && v.includes(elsewhere)).length).toBeGreaterThanOrEqual(2);
  const violations = await seen.violations();
  expect(violations.some((v) => v.startsWith('page: ')) && violations.some((v) => v.startsWith('worker: ')), violations.join('\n')).toBe(true);
}

test('dev server: every tab and a training run stay on the origin, under a strict policy', async ({ page, context, baseURL }) => {
  test.setTimeout(240_000);
  await checkOrigin(page, context, baseURL ?? 'http://localhost:5174', true);
});

test.describe('built app', () => {
  let server: PreviewServer | null = null;
  let outDir = '';

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    outDir = mkdtempSync(join(tmpdir(), 'precision-lab-build-'));
    const shared = { root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' as const };
    await build({ ...shared, build: { outDir, emptyOutDir: true } });
    server = await preview({ ...shared, build: { outDir }, preview: { port: 4310, strictPort: false, open: false } });
  });

  test.afterAll(async () => {
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('vite preview of the build: same, with script-src only \'self\'', async ({ page, context }) => {
    test.setTimeout(240_000);
    const base = server?.resolvedUrls?.local[0]?.replace(/\/$/, '');
    if (!base) throw new Error('vite preview gave no local address.');
    await checkOrigin(page, context, base, false);
  });
});
