// Serves the lab and drives it in headless Chromium: shared by `npm run bench`, `npm run diagnose`
// and the headless runner. The browser is the system one (scripts/chrome.mjs); nothing is downloaded.
import { createServer } from 'vite';
import { chromium } from '@playwright/test';
import { findChrome, chromeArgs } from './chrome.mjs';

/**
 * Starts the app's dev server on a free port (source modules are importable from the page), opens
 * a headless page on it and returns { page, url, close }. Browser console errors are forwarded to
 * stderr when `verbose` is set. `vite` is merged into the server's inline config (e.g. its own
 * cacheDir and optimizeDeps.include, so that dependencies only a script imports are bundled at
 * start-up instead of reloading the page mid-run, and never disturb another dev server's cache).
 * @param {{ verbose?: boolean, path?: string, vite?: import('vite').InlineConfig }} [options]
 */
export async function openLab(options = {}) {
  const executablePath = findChrome();
  const server = await createServer({
    ...options.vite,
    logLevel: 'silent',
    server: { port: 0, strictPort: false, host: 'localhost' },
    clearScreen: false,
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  const url = `http://localhost:${port}`;
  const browser = await chromium.launch({ executablePath, args: chromeArgs(), headless: true });
  const page = await browser.newPage();
  if (options.verbose) {
    page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  }
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(url + (options.path ?? '/'));
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { page, url, close };
}

/**
 * Imports a source module in the page and calls one of its exported async functions with a JSON
 * argument; returns its JSON result.
 * @param {import('@playwright/test').Page} page
 * @param {string} modulePath e.g. '/src/gpu/bench/matmulBench.ts'
 * @param {string} fn exported function name
 * @param {unknown} [arg]
 */
export async function callInPage(page, modulePath, fn, arg) {
  return page.evaluate(
    async ([path, name, a]) => {
      const m = await import(/* @vite-ignore */ path);
      return m[name](a);
    },
    [modulePath, fn, arg],
  );
}

/** Parses `--flag` / `--key value` arguments against a table; unknown ones are errors. */
export function parseArgs(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = a.startsWith('--') ? a.slice(2) : null;
    if (!key || !(key in spec)) throw new Error(`Unknown argument "${a}". Known: ${Object.keys(spec).map((k) => '--' + k).join(', ')}.`);
    if (spec[key] === 'flag') out[key] = true;
    else {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`--${key} needs a value.`);
      out[key] = v;
    }
  }
  return out;
}
