/**
 * Entry points for scripts/diagnose.mjs, called in the page through callInPage. Progress goes to
 * `window.__diagnosticsProgress` when the script exposed one (page.exposeFunction).
 */
import { formatReport } from './report';
import { runDiagnostics } from './run';
import { collectSuites } from './suites';
import type { DiagnosticsReport } from './types';

/** What the terminal shows while a run goes; the checks themselves travel once, in the report. */
export type HeadlessProgress =
  | { type: 'findings-start' }
  | { type: 'suite-start'; index: number; total: number; name: string }
  | {
      type: 'suite-done';
      index: number;
      total: number;
      name: string;
      checks: number;
      failed: number;
      ms: number;
    };

declare global {
  interface Window {
    __diagnosticsProgress?: (p: HeadlessProgress) => Promise<void> | void;
  }
}

export type HeadlessResult = { report: DiagnosticsReport; text: string } | { error: string };

/** arg.suites: comma-separated ids or names, '' for all. Unknown names come back as { error }. */
export async function runDiagnosticsInPage(arg: { suites?: string } = {}): Promise<HeadlessResult> {
  const suites = (arg.suites ?? '').split(',').filter((s) => s.trim() !== '');
  const progress = window.__diagnosticsProgress;
  try {
    const report = await runDiagnostics({
      suites,
      onProgress: (p) => {
        if (!progress) return;
        if (p.type === 'findings-start') void progress(p);
        else if (p.type === 'suite-start')
          void progress({ type: p.type, index: p.index, total: p.total, name: p.name });
        else if (p.type === 'suite-done') {
          const { name, results, ms } = p.report;
          const failed = results.filter((r) => !r.pass).length;
          void progress({
            type: p.type,
            index: p.index,
            total: p.total,
            name,
            checks: results.length,
            failed,
            ms,
          });
        }
      },
    });
    return { report, text: formatReport(report) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Ids and names of every suite, for `npm run diagnose --list`. */
export async function listSuitesInPage(): Promise<{ id: string; name: string }[]> {
  return (await collectSuites()).map(({ id, name }) => ({ id, name }));
}
