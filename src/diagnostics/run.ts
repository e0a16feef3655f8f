/**
 * One diagnostics run, shared by the Diagnostics page and `npm run diagnose`: probe the adapter,
 * measure the device's f32 behaviour, then run the chosen suites one after another.
 */
import { probeWebGPU } from '../gpu/probe';
import { measureFindings } from './findings';
import { adapterSummary, buildReport } from './report';
import { runSuites, selectSuites, summarize } from './runner';
import { collectSuites } from './suites';
import type { DiagnosticsReport, NamedSuite, Progress } from './types';

export interface RunOptions {
  /** Suite ids or names to run; empty or absent: all. */
  suites?: readonly string[];
  onProgress?: (p: Progress) => void;
  /** Already collected suites (the page lists them before the run). */
  collected?: readonly NamedSuite[];
}

/** Throws only for unknown suite names (the message lists the known ones); a GPU failure is a check. */
export async function runDiagnostics(options: RunOptions = {}): Promise<DiagnosticsReport> {
  const onProgress = options.onProgress ?? (() => {});
  const all = options.collected ?? (await collectSuites());
  const chosen = selectSuites(all, options.suites ?? []);
  const t0 = performance.now();
  const probe = await probeWebGPU().catch(() => null);
  const adapter = probe?.available ? adapterSummary(probe.adapter) : null;
  onProgress({ type: 'findings-start' });
  const findings = await measureFindings();
  onProgress({ type: 'findings-done', findings });
  const reports = await runSuites(chosen, onProgress);
  return buildReport(
    adapter,
    findings,
    reports,
    summarize(reports),
    Math.round(performance.now() - t0),
  );
}
