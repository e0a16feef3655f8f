// `npm run bench`: opens the lab headless in the system Chromium and runs the benchmark sections
// in the page (their code lives in src/**/bench/*.ts and runs on the page's WebGPU adapter).
//   npm run bench                    readable tables on stdout
//   npm run bench -- --json          exactly one JSON object on stdout; everything else on stderr
//   npm run bench -- --only matmul   some sections (comma-separated names)
//   npm run bench -- --quick         smaller problems, for a smoke run
// A section is one entry of SECTIONS: { name, run(page, args) -> data, json(data) -> object merged
// into the report, print(data) -> lines }. Add a module's benchmark by adding its entry there.
import { callInPage, openLab, parseArgs } from './headless.mjs';

const ARGS = { json: 'flag', quick: 'flag', only: 'value', verbose: 'flag', help: 'flag' };
const USAGE = 'Usage: npm run bench [-- --json] [--only <section,...>] [--quick] [--verbose]';

const fixed = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Lines of a table with right-aligned columns. */
function table(headers, rows) {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  '));
}

const SECTIONS = [
  {
    name: 'matmul',
    title: 'f32 matmul, ours vs tfjs-backend-webgpu tf.matMul (NN, GFLOP/s)',
    run: (page, args) =>
      callInPage(page, '/src/gpu/bench/matmulBench.ts', 'runMatmulBench', {
        shapes: args.quick ? 2 : undefined,
        targetMs: args.quick ? 250 : undefined,
      }),
    json: (r) => ({
      matmul: r.rows.map((row) => ({
        m: row.m,
        n: row.n,
        k: row.k,
        ours_gflops: row.ours_gflops,
        tfjs_gflops: row.tfjs_gflops,
        ratio: row.ratio,
        variant: row.variant,
        register_gflops: row.register_gflops,
        shared_gflops: row.shared_gflops,
        what: row.what,
      })),
      matmul_chooser: {
        variant: r.chooser.variant,
        method: r.chooser.method,
        shape: r.chooser.shape,
        ms_per_dispatch: r.chooser.msPerDispatch,
      },
    }),
    print: (r) => [
      `variant chooser: ${r.chooser.variant} (${r.chooser.method} time at ${r.chooser.shape.form} ` +
        `${r.chooser.shape.M}x${r.chooser.shape.N}x${r.chooser.shape.K}: ` +
        Object.entries(r.chooser.msPerDispatch)
          .map(([v, ms]) => `${v} ${fixed(ms, 2)} ms`)
          .join(', ') +
        ')',
      ...table(
        ['m', 'n', 'k', 'ours', 'tfjs', 'ratio', 'variant', 'register', 'shared', 'shape'],
        r.rows.map((row) => [
          row.m,
          row.n,
          row.k,
          fixed(row.ours_gflops),
          fixed(row.tfjs_gflops),
          fixed(row.ratio) + 'x',
          row.variant,
          fixed(row.register_gflops),
          fixed(row.shared_gflops),
          row.what,
        ]),
      ),
    ],
  },
  {
    name: 'conversion',
    title: 'conversion kernels (GB/s of bytes read + written)',
    run: (page, args) =>
      callInPage(page, '/src/gpu/bench/conversionBench.ts', 'runConversionBench', {
        n: args.quick ? 1 << 20 : undefined,
      }),
    json: (r) => ({ conversion: r.rows }),
    print: (r) =>
      table(
        ['op', 'elements', 'GB/s', 'ms'],
        r.rows.map((row) => [row.op, row.n, fixed(row.gbps), fixed(row.ms, 3)]),
      ),
  },
];

function fail(message, code) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs(process.argv.slice(2), ARGS);
} catch (err) {
  fail(`${err.message} ${USAGE}`, 2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\nSections: ${SECTIONS.map((s) => s.name).join(', ')}\n`);
  process.exit(0);
}
const wanted = args.only ? args.only.split(',').map((s) => s.trim()) : SECTIONS.map((s) => s.name);
const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
if (unknown.length > 0) {
  fail(
    `no section named ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}.`,
    2,
  );
}

// In --json mode stdout carries the one JSON object only.
const say = (line) => (args.json ? process.stderr : process.stdout).write(line + '\n');
const progress = (line) => process.stderr.write(line + '\n');

const t0 = performance.now();
let lab;
try {
  lab = await openLab({
    verbose: args.verbose,
    vite: {
      // Its own dependency cache: bundling tfjs must not touch the cache of a running dev server.
      cacheDir: 'node_modules/.vite-bench',
      optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'] },
    },
  });
} catch (err) {
  fail(`could not open the lab headless: ${err.message}`, 1);
}
const report = {};
let exitCode = 0;
try {
  const adapter = await callInPage(lab.page, '/src/gpu/bench/common.ts', 'benchAdapter');
  report.adapter = {
    vendor: adapter.vendor,
    architecture: adapter.architecture,
    fallback: adapter.fallback,
    description: adapter.description,
  };
  say(
    `adapter: ${adapter.vendor || '?'} / ${adapter.architecture || '?'}` +
      `${adapter.description ? ` (${adapter.description})` : ''}${adapter.fallback ? ', software fallback' : ''}` +
      `; features: ${adapter.features.join(', ') || 'none'}`,
  );
  for (const section of SECTIONS.filter((s) => wanted.includes(s.name))) {
    const s0 = performance.now();
    progress(`running ${section.name}...`);
    try {
      const data = await section.run(lab.page, args);
      Object.assign(report, section.json(data));
      say(`\n${section.title}`);
      for (const line of section.print(data)) say(line);
    } catch (err) {
      exitCode = 1;
      report[`${section.name}_error`] = err.message;
      progress(`${section.name} failed: ${err.message}`);
    }
    progress(`${section.name}: ${((performance.now() - s0) / 1e3).toFixed(1)} s`);
  }
} catch (err) {
  exitCode = 1;
  report.error = err.message;
  progress(`bench failed: ${err.message}`);
} finally {
  await lab.close();
}
report.seconds = Math.round((performance.now() - t0) / 100) / 10;
if (args.json) process.stdout.write(JSON.stringify(report) + '\n');
else say(`\ntotal ${report.seconds} s`);
process.exit(exitCode);
