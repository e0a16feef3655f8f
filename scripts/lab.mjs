// `npm run lab`: trains a preset (or a run file) headless in the system Chromium, through the same
// training worker the app uses, and writes run.json (every lane's config and every series) and
// metrics.csv (long form step,lane,metric,value). Progress with steps/s and an ETA on stderr.
// The arguments are checked in Node first (src/lab/runSpec.ts), so a mistake costs no browser.
// Exit 0 the run finished, 1 it failed or stopped early, 2 bad arguments.
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { callInPage, openLab, parseArgs } from './headless.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = 'node_modules/.vite-lab'; // never the running dev server's cache
const PAGE = '/src/lab/headless.html'; // a bare page: no UI shares the machine with the run

const USAGE = `Usage: npm run lab -- [--preset NAME | --config FILE.json] [--steps N] [--backend webgpu|cpu]
                      [--model tiny|default] [--out DIR] [--list] [--verbose]
                      [--lose-device-at STEP]
  --preset   a preset id (default: the first one; --list shows them)
  --config   a run file (JSON): {"preset"?, "model"?, "dataset"?, "lanes"?, "metrics"?, "dataSeed"?, "steps"?}
  --steps    steps to train (default: the preset's suggested steps, or the file's "steps")
  --backend  webgpu (default; the CPU reference when WebGPU is missing, and it says so) or cpu
  --model    train the preset's lanes at another model size (tiny is fast on a CPU)
  --out      output folder (default out/<preset or file>-<time>)
  --list     print the presets and exit
  --verbose  forward the page's console to stderr
  --lose-device-at  destroy the GPU device once STEP is done, as a driver reset would: the run
             goes on from its last weight snapshot (every 50 steps), as it does after a real loss`;

const SPEC = {
  preset: 'value',
  config: 'value',
  steps: 'value',
  backend: 'value',
  model: 'value',
  out: 'value',
  list: 'flag',
  verbose: 'flag',
  help: 'flag',
  'lose-device-at': 'value',
};

function fail(message, code) {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs(process.argv.slice(2), SPEC);
} catch (err) {
  fail(`${err.message} Run with --help for usage.`, 2);
}
if (args.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const { module: spec } = await runnerImport(join(ROOT, 'src/lab/runSpec.ts'), {
  configFile: false,
  root: ROOT,
  cacheDir: CACHE_DIR,
  logLevel: 'silent',
});

if (args.list) {
  process.stdout.write(spec.presetLines().join('\n') + '\n');
  process.exit(0);
}

let configText;
if (args.config !== undefined) {
  try {
    configText = await readFile(resolve(args.config), 'utf8');
  } catch (err) {
    const why =
      err.code === 'ENOENT'
        ? 'there is no such file'
        : err.code === 'EISDIR'
          ? 'it is a folder'
          : err.message;
    fail(`cannot read the run file ${args.config}: ${why}.`, 2);
  }
}
const readPublic = (url) => readFile(join(ROOT, 'public', url), 'utf8');
const resolved = await spec.resolveRunSpec(
  {
    preset: args.preset,
    configPath: args.config,
    configText,
    steps: args.steps,
    backend: args.backend,
    model: args.model,
  },
  spec.datasetOpener({ fetchText: readPublic }),
);
if (!resolved.ok) fail(resolved.message, 2);
const run = resolved.value;
let loseDeviceAt;
if (args['lose-device-at'] !== undefined) {
  loseDeviceAt = Number(args['lose-device-at']);
  if (!(Number.isInteger(loseDeviceAt) && loseDeviceAt >= 1 && loseDeviceAt <= run.steps))
    fail(`--lose-device-at is ${args['lose-device-at']}; give a step from 1 to ${run.steps}.`, 2);
  if (run.backend !== 'webgpu') fail('--lose-device-at needs --backend webgpu: the CPU backend has no device to lose.', 2);
}

const stamp = new Date()
  .toISOString()
  .replace(/\.\d+Z$/, '')
  .replace(/[-:]/g, '')
  .replace('T', '-');
const outDir = resolve(args.out ?? join('out', `${run.name}-${stamp}`));
try {
  if (existsSync(outDir) && !(await stat(outDir)).isDirectory())
    throw new Error('it exists and is not a folder');
  await mkdir(outDir, { recursive: true });
} catch (err) {
  fail(`cannot write to --out ${relative(process.cwd(), outDir) || '.'}: ${err.message}.`, 2);
}

// ---- progress on stderr ----

const tty = process.stderr.isTTY;
const t0 = Date.now();
const say = (line) => process.stderr.write((tty ? '\r\x1b[K' : '') + line + '\n');
const rate = (r) => (r > 0 ? r.toFixed(r < 10 ? 2 : 1) : '-');
const clock = (seconds) => {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
let lastLine = { fraction: -1, at: 0 };

function showProgress({ step, total, stepsPerSecond, seconds }) {
  const now = Date.now();
  // The ETA uses the average since stepping began; the rate shown is the worker's last second.
  const average = seconds > 0 ? step / seconds : 0;
  const eta = average > 0 ? (total - step) / average : Infinity;
  const fraction = total > 0 ? step / total : 0;
  const width = 24;
  const filled = Math.round(fraction * width);
  const line =
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ` +
    `${step}/${total} steps  ${rate(stepsPerSecond || average)} steps/s  ETA ${clock(eta)}`;
  if (tty) process.stderr.write(`\r\x1b[K${line}`);
  else if (
    fraction - lastLine.fraction >= 0.1 ||
    now - lastLine.at >= 5000 ||
    (step === total && lastLine.fraction < 1)
  ) {
    process.stderr.write(line + '\n');
    lastLine = { fraction, at: now };
  }
}

// ---- the run ----

const lanes = run.run.lanes.map((l) => l.id).join(', ');
const m = run.run.model;
say(`lab: ${run.title}`);
say(
  `  ${run.run.lanes.length} lanes (${lanes}); model d=${m.d} L=${m.layers} H=${m.heads} E=${m.experts} k=${m.topK} T=${m.context} B=${m.batch}; ${run.dataset}; ${run.steps} steps on ${run.backend}`,
);
say('Starting the app and headless Chromium…');

let lab;
const closeLab = async () => {
  const l = lab;
  lab = undefined;
  if (l) await l.close().catch(() => {});
};
process.on('SIGINT', () => {
  say('lab: interrupted; nothing was written.');
  closeLab().finally(() => process.exit(130));
});

let result;
try {
  lab = await openLab({
    verbose: Boolean(args.verbose),
    path: PAGE,
    vite: { cacheDir: CACHE_DIR },
  });
  // A source file saved during the run makes Vite reload the page, which would end the run; a 204
  // answer to that navigation leaves the running page as it is.
  await lab.page.route(
    (u) => u.pathname === PAGE,
    (route) =>
      route.request().isNavigationRequest() ? route.fulfill({ status: 204 }) : route.continue(),
  );
  await lab.page.exposeFunction('__labProgress', showProgress);
  result = await callInPage(lab.page, '/src/lab/headlessRun.ts', 'runInPage', { ...run, loseDeviceAt });
} catch (err) {
  await closeLab();
  fail(`the run could not finish: ${err?.message ?? err}`, 1);
}
await closeLab();
if (tty) process.stderr.write('\n');

if (result.refused) fail(`the worker refused the run: ${result.refused.join(' ')}`, 1);
if (result.fallback) say(`lab: note: ${result.fallback}`);
for (const e of result.errors) say(`lab: ${e}`);
for (const r of result.resumes)
  say(`lab: the GPU device was lost after step ${r.lostAfter}; the run went on from its snapshot of step ${r.from} on ${r.backend === 'webgpu' ? 'a new device' : 'the CPU reference'}.`);

const runPath = join(outDir, 'run.json');
const csvPath = join(outDir, 'metrics.csv');
await writeFile(runPath, result.runJson);
await writeFile(csvPath, result.csv);

const show = (p) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
const width = Math.max(...Object.keys(result.last).map((k) => k.length), 4);
const lines = [
  `backend ${result.backend}: ${result.stepsDone} of ${run.steps} steps in ${result.seconds.toFixed(1)} s (${result.stepsPerSecond.toFixed(2)} steps/s)`,
  ...Object.entries(result.last).map(
    ([lane, l]) =>
      `  ${lane.padEnd(width)}  loss ${l.loss.toFixed(4)}` +
      (l.heldoutLoss !== undefined ? `  held-out ${l.heldoutLoss.toFixed(4)}` : '') +
      (result.divergences.some((d) => d.lane === lane) ? `  diverged at step ${l.step}` : ''),
  ),
  `wrote ${show(runPath)} and ${show(csvPath)} (${result.csvRows} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
];
process.stdout.write(lines.join('\n') + '\n');
process.exit(result.ok ? 0 : 1);
