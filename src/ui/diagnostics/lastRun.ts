/** How long the last run of the same suites took in this browser, for the page's estimate. */
const KEY = 'precision-lab.diagnostics.last-run';

interface LastRun {
  suites: string;
  ms: number;
}

/** `suites`: the run's suite ids joined by commas. */
export function lastRunMs(suites: string): number | null {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as LastRun | null;
    return v && v.suites === suites && Number.isFinite(v.ms) ? v.ms : null;
  } catch {
    return null;
  }
}

export function rememberRun(suites: string, ms: number): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ suites, ms } satisfies LastRun));
  } catch {
    // Storage may be off (private mode); the estimate then stays generic.
  }
}
