/**
 * Runs self-test suites one after another and sums them up. Pure logic over `Suite` objects, so it
 * is unit-tested in Node with fake suites; suites.ts supplies the real ones.
 */
import type {
  CheckResult,
  NamedSuite,
  Progress,
  SelfTestResult,
  SuiteReport,
  Summary,
} from './types';

/** Turns whatever a suite gave back into checks; a suite that gives none fails (it proves nothing). */
function asChecks(suite: NamedSuite, value: unknown): CheckResult[] {
  if (!Array.isArray(value)) {
    return [
      {
        suite: suite.name,
        name: `${suite.name}: suite result`,
        pass: false,
        detail: `run() resolved to ${typeof value} instead of a list of checks; the suite's module must return SelfTestResult[].`,
        ms: 0,
      },
    ];
  }
  if (value.length === 0) {
    return [
      {
        suite: suite.name,
        name: `${suite.name}: suite result`,
        pass: false,
        detail:
          'the suite ran no checks, so it shows nothing about this GPU; its run() returned an empty list.',
        ms: 0,
      },
    ];
  }
  return (value as SelfTestResult[]).map((r) => ({
    suite: suite.name,
    name: String(r.name),
    pass: r.pass === true,
    detail: String(r.detail ?? ''),
    ms: Number.isFinite(r.ms) ? r.ms : 0,
    ...(r.skipped ? { skipped: true } : {}),
    ...(r.data ? { data: r.data } : {}),
  }));
}

/** Runs `suites` in order (never two at once: they share one GPU); a thrown suite is a failed check. */
export async function runSuites(
  suites: readonly NamedSuite[],
  onProgress: (p: Progress) => void = () => {},
): Promise<SuiteReport[]> {
  const reports: SuiteReport[] = [];
  for (const [i, suite] of suites.entries()) {
    onProgress({
      type: 'suite-start',
      index: i,
      total: suites.length,
      id: suite.id,
      name: suite.name,
    });
    const t0 = performance.now();
    let results: CheckResult[];
    try {
      results = asChecks(suite, await suite.run());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      results = [
        {
          suite: suite.name,
          name: `${suite.name}: suite ran to the end`,
          pass: false,
          detail: `the suite threw before reporting its checks: ${message}`,
          ms: Math.round(performance.now() - t0),
        },
      ];
    }
    const report: SuiteReport = {
      id: suite.id,
      name: suite.name,
      results,
      ms: Math.round(performance.now() - t0),
    };
    reports.push(report);
    onProgress({ type: 'suite-done', index: i, total: suites.length, report });
  }
  return reports;
}

/**
 * The suites named in `only` (ids or names, any case), in the runner's order; all when `only` is
 * empty. Throws an Error whose message names the unknown ones and the known ids.
 */
export function selectSuites(all: readonly NamedSuite[], only: readonly string[]): NamedSuite[] {
  const wanted = only.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (wanted.length === 0) return [...all];
  const matches = (s: NamedSuite, w: string) =>
    s.id.toLowerCase() === w || s.name.toLowerCase() === w;
  const unknown = wanted.filter((w) => !all.some((s) => matches(s, w)));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown self-test suite${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. ` +
        `Known: ${all.map((s) => s.id).join(', ')}.`,
    );
  }
  return all.filter((s) => wanted.some((w) => matches(s, w)));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Counts and a plain verdict for a person deciding whether to trust this GPU's numbers. */
export function summarize(reports: readonly SuiteReport[]): Summary {
  const checks = reports.flatMap((r) => r.results);
  const total = checks.length;
  const failed = checks.filter((c) => !c.pass);
  const skipped = checks.filter((c) => c.pass && c.skipped).length;
  if (total === 0) {
    return {
      total,
      failed: 0,
      skipped,
      line: 'No checks ran',
      verdict: 'Nothing was tested, so nothing can be said about this GPU yet.',
    };
  }
  const line =
    failed.length === 0
      ? total === 1
        ? 'The one check passes'
        : `All ${total} checks pass`
      : `${failed.length} of ${plural(total, 'check')} ${failed.length === 1 ? 'fails' : 'fail'}`;
  const skippedNote = skipped
    ? ` (${plural(skipped, 'check')} skipped for a missing optional feature; the fallback path was tested instead)`
    : '';
  if (failed.length === 0) {
    return {
      total,
      failed: 0,
      skipped,
      line,
      verdict: `This GPU's numbers can be trusted for the lab${skippedNote}.`,
    };
  }
  const noDevice = failed.find((c) => c.name === 'acquire a WebGPU device');
  if (noDevice) {
    return {
      total,
      failed: failed.length,
      skipped,
      line,
      verdict: `The GPU checks could not run: ${noDevice.detail}`,
    };
  }
  const bySuite = new Map<string, string[]>();
  for (const c of failed) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c.name]);
  const parts = [...bySuite].map(
    ([suite, names]) =>
      `${suite}: ${names.slice(0, 3).join('; ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`,
  );
  // A kernel that does not compile is the lab's (or the browser's) fault, not wrong arithmetic.
  const compileErrors = failed.filter((c) => c.detail.includes('compilation error')).length;
  return {
    total,
    failed: failed.length,
    skipped,
    line,
    verdict:
      `Don't trust the lab's numbers on this GPU until these pass. Failing: ${parts.join(' | ')}.` +
      (compileErrors
        ? ` ${plural(compileErrors, 'check')} failed because a kernel did not compile here: a bug in the lab or in this browser's WGSL compiler, not wrong arithmetic.`
        : '') +
      ' The failed checks say what differs; copy the JSON report into a bug report.',
  };
}
