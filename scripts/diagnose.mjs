// `npm run diagnose`: runs every self-test suite of the lab in headless Chromium on this machine's
// WebGPU and prints a report. --json prints one JSON object on stdout instead; progress always
// goes to stderr. Exit 0 all checks pass, 1 a check fails (or the run could not happen), 2 bad arguments.
import { openLab, callInPage, parseArgs } from './headless.mjs';

const USAGE = `Usage: npm run -s diagnose -- [--json] [--suites conversion,engine,...] [--list] [--verbose]
  (-s keeps npm's own banner off stdout; or run node scripts/diagnose.mjs directly)
  --json      print the report as one JSON object on stdout (progress stays on stderr)
  --suites    run only these suites (ids or names, comma-separated); default: all
  --list      list the suites and exit
  --verbose   forward the page's console to stderr`;

const SPEC = { json: 'flag', suites: 'value', list: 'flag', verbose: 'flag', help: 'flag' };

let args;
try {
  args = parseArgs(process.argv.slice(2), SPEC);
} catch (err) {
  process.stderr.write(`diagnose: ${err.message} Run with --help for usage.\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (line) => process.stderr.write(line + '\n');

let lab;
try {
  say('Starting the app and headless Chromium…');
  lab = await openLab({ verbose: Boolean(args.verbose) });
  if (args.list) {
    const suites = await callInPage(lab.page, '/src/diagnostics/headless.ts', 'listSuitesInPage');
    for (const s of suites) process.stdout.write(`${s.id}\t${s.name}\n`);
    await lab.close();
    process.exit(0);
  }
  // A source file saved during the run makes Vite reload the page, which would end the run; a 204
  // answer to that navigation leaves the running page as it is.
  await lab.page.route(
    (u) => u.pathname === '/',
    (route) =>
      route.request().isNavigationRequest() ? route.fulfill({ status: 204 }) : route.continue(),
  );
  await lab.page.exposeFunction('__diagnosticsProgress', (p) => {
    if (p.type === 'findings-start') say(`Measuring the device's f32 behaviour… (${elapsed()})`);
    else if (p.type === 'suite-start') say(`[${p.index + 1}/${p.total}] ${p.name}… (${elapsed()})`);
    else if (p.type === 'suite-done')
      say(
        `      ${p.checks} checks, ${p.failed ? `${p.failed} FAILED` : 'all pass'} in ${p.ms < 1000 ? `${p.ms} ms` : `${(p.ms / 1000).toFixed(1)} s`}`,
      );
  });
  const result = await callInPage(
    lab.page,
    '/src/diagnostics/headless.ts',
    'runDiagnosticsInPage',
    {
      suites: args.suites ?? '',
    },
  );
  await lab.close();
  lab = undefined;
  if ('error' in result) {
    say(`diagnose: ${result.error}`);
    process.exit(2);
  }
  if (args.json) process.stdout.write(JSON.stringify(result.report) + '\n');
  else process.stdout.write(result.text + '\n');
  say(`Done in ${elapsed()}.`);
  process.exit(result.report.summary.failed > 0 ? 1 : 0);
} catch (err) {
  say(`diagnose: the run could not finish: ${err?.message ?? err}`);
  if (lab) await lab.close().catch(() => {});
  process.exit(1);
}
