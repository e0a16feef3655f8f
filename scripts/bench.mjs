// `npm run bench`: opens the lab headless in the system Chromium and runs the benchmark sections
// in the page (their code lives in src/**/bench/*.ts and runs on the page's WebGPU adapter).
//   npm run bench                    readable tables on stdout
//   npm run bench -- --json          exactly one JSON object on stdout; everything else on stderr
//   npm run bench -- --only matmul   some sections (comma-separated names)
//   npm run bench -- --quick         smaller problems, for a smoke run: fewer matmul shapes, a
//                                    smaller conversion, one timed run per moe_layer model, and
//                                    recipes at the tiny size only (the default size's steps take
//                                    seconds to a minute each on a software adapter)
// A section is one entry of SECTIONS: { name, run(page, args) -> data, json(data) -> object merged
// into the report, print(data) -> lines }. Add a module's benchmark by adding its entry there.
import { callInPage, openLab, parseArgs } from './headless.mjs';

const ARGS = { json: 'flag', quick: 'flag', only: 'value', verbose: 'flag', help: 'flag' };
const USAGE = [
  'Usage: npm run bench [-- --json] [--only <section,...>] [--quick] [--verbose]',
  '  --json     one JSON object on stdout (progress on stderr)',
  '  --only     run some sections, comma-separated',
  '  --quick    smaller problems for a smoke run; the recipes section skips the default model size',
  '             (on a software adapter the full run takes about 10 minutes, --quick under 2)',
  '  --verbose  forward the page console to stderr',
].join('\n');

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
  {
    name: 'moe_layer',
    title: 'one MoE transformer layer, forward + backward, default size (no optimizer)',
    run: (page, args) =>
      callInPage(page, '/src/model/bench/moeLayerBench.ts', 'runMoeLayerBench', {
        runs: args.quick ? 1 : 2,
      }),
    json: (r) => ({
      moe_layer: {
        config: r.config,
        flops_forward: r.flops.forward,
        flops_backward: r.flops.backward,
        flops_total: r.flops.total,
        flop_formula: r.flops.formula,
        method: 'ms = fastest (2-layer model) - fastest (1-layer model), forward + backward, one submit each',
        runs: r.runs,
        rows: r.rows.map((row) => ({
          storage: row.storage,
          recipe: row.recipe,
          ms: row.ms,
          gflops: row.gflops,
          dispatches_forward: row.dispatches.forward,
          dispatches_backward: row.dispatches.backward,
          model_ms_1_layer: row.modelMs.layers1,
          model_ms_2_layers: row.modelMs.layers2,
          model_dispatches_1_layer: row.modelDispatches.layers1,
          model_dispatches_2_layers: row.modelDispatches.layers2,
        })),
      },
    }),
    print: (r) => [
      `d=${r.config.d} E=${r.config.experts} k=${r.config.topK} T=${r.config.context} ` +
        `B=${r.config.batch} H=${r.config.heads} F=${r.config.hidden}; ` +
        `${fixed(r.flops.total / 1e9, 3)} GFLOP per layer forward + backward ` +
        `(forward ${fixed(r.flops.forward / 1e9, 3)}, backward ${fixed(r.flops.backward / 1e9, 3)})`,
      `FLOPs: ${r.flops.formula}`,
      `layer ms = fastest 2-layer model - fastest 1-layer model (forward + backward, one submit, ` +
        `${r.runs} timed run${r.runs === 1 ? '' : 's'} each after a warm-up)`,
      ...table(
        ['storage', 'recipe', 'ms/layer', 'GFLOP/s', 'disp fwd', 'disp bwd', 'model L=1 ms', 'model L=2 ms'],
        r.rows.map((row) => [
          row.storage,
          row.recipe,
          fixed(row.ms, 1),
          fixed(row.gflops, 3),
          row.dispatches.forward,
          row.dispatches.backward,
          fixed(row.modelMs.layers1, 1),
          fixed(row.modelMs.layers2, 1),
        ]),
      ),
    ],
  },
  {
    name: 'recipes',
    title: 'training step per recipe (forward + backward + optimizer, one submit; median step)',
    // One call per (size, recipe): progress on stderr, and a failure costs one row.
    run: async (page, args) => {
      const module = '/src/model/bench/recipesBench.ts';
      const plan = await callInPage(page, module, 'recipesBenchPlan', { quick: Boolean(args.quick) });
      const rows = [];
      for (const { size, recipe } of plan) {
        const r = await callInPage(page, module, 'runRecipesBench', { sizes: [size], recipes: [recipe] });
        for (const row of r.rows) {
          progress(`  ${row.size} ${row.recipe}: ${fixed(row.step_ms, 1)} ms per step`);
          rows.push(row);
        }
      }
      return { rows };
    },
    json: (r) => ({
      recipes: r.rows.map((row) => ({
        recipe: row.recipe,
        size: row.size,
        tokens_per_s: row.tokens_per_s,
        step_ms: row.step_ms,
        dispatches_per_step: row.dispatches_per_step,
        dispatches: row.dispatches,
        steps: row.steps,
      })),
    }),
    print: (r) => [
      'step ms: median of the timed steps after one warm-up (of 2, the slower); tokens/s = B*T / step',
      ...table(
        ['size', 'recipe', 'tokens/s', 'step ms', 'dispatches', 'fwd', 'bwd', 'opt', 'steps', 'tokens'],
        r.rows.map((row) => [
          row.size,
          row.recipe,
          fixed(row.tokens_per_s, row.tokens_per_s < 100 ? 1 : 0),
          fixed(row.step_ms, 1),
          row.dispatches_per_step,
          row.dispatches.forward,
          row.dispatches.backward,
          row.dispatches.optimizer,
          row.steps,
          row.tokens,
        ]),
      ),
    ],
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
  fail(`${err.message}\n${USAGE}`, 2);
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
      // No file watching and no HMR: an edit elsewhere in the tree during a run of minutes must
      // not reload the page under the benchmark (openLab sets `server` itself, so a plugin).
      plugins: [{ name: 'bench-no-reload', config: () => ({ server: { hmr: false, watch: null } }) }],
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
