/**
 * The diagnostics report as JSON (for the clipboard and `npm run diagnose --json`) and as text
 * for a terminal.
 */
import type { AdapterReport } from '../gpu/probe';
import type { AdapterSummary, DiagnosticsReport, Findings, SuiteReport, Summary } from './types';

export function adapterSummary(a: AdapterReport): AdapterSummary {
  return {
    vendor: a.vendor,
    architecture: a.architecture,
    fallback: a.isSoftware,
    description: a.description,
  };
}

export function buildReport(
  adapter: AdapterSummary | null,
  findings: Findings,
  suites: readonly SuiteReport[],
  summary: Summary,
  ms: number,
): DiagnosticsReport {
  return {
    adapter,
    checks: suites.flatMap((s) =>
      s.results.map((r) => ({
        suite: s.name,
        name: r.name,
        pass: r.pass,
        detail: r.detail,
        ms: r.ms,
        ...(r.skipped ? { skipped: true } : {}),
      })),
    ),
    findings,
    summary,
    suites: suites.map((s) => ({
      id: s.id,
      name: s.name,
      checks: s.results.length,
      failed: s.results.filter((r) => !r.pass).length,
      ms: s.ms,
    })),
    finishedAt: new Date().toISOString(),
    ms,
  };
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A readable report: adapter, checks (✓ / ✗ / – skipped) with details, findings, summary. */
export function formatReport(r: DiagnosticsReport): string {
  const lines: string[] = [];
  const a = r.adapter;
  lines.push('Adapter');
  if (a) {
    lines.push(
      `  ${[a.vendor, a.architecture].filter(Boolean).join(' / ') || '(vendor not reported)'}` +
        `${a.description ? ` — ${a.description}` : ''}`,
    );
    if (a.fallback)
      lines.push("  Software adapter: the numbers are real WebGPU, the timings are not a GPU's.");
  } else {
    lines.push('  No WebGPU adapter.');
  }
  let suite = '';
  for (const c of r.checks) {
    if (c.suite !== suite) {
      suite = c.suite;
      const s = r.suites.find((x) => x.name === suite);
      lines.push('', `${suite}${s ? ` (${s.checks} checks, ${seconds(s.ms)})` : ''}`);
    }
    const mark = !c.pass ? '✗' : c.skipped ? '–' : '✓';
    lines.push(`  ${mark} ${c.name}  (${c.ms} ms)`);
    lines.push(...c.detail.split('\n').map((l) => `      ${l}`));
  }
  lines.push('', 'What this GPU does that WGSL allows');
  if (r.findings.error) lines.push(`  ${r.findings.error}`);
  for (const e of r.findings.explanations) {
    lines.push(`  • ${e.headline}`, `    ${e.meaning}`);
  }
  lines.push('', `${r.summary.line} (${seconds(r.ms)}).`, r.summary.verdict);
  return lines.join('\n');
}
