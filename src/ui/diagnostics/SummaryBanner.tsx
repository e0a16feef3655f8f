import { useState } from 'react';
import type { DiagnosticsReport } from '../../diagnostics/types';

type CopyState = 'idle' | 'copied' | 'refused';

/** "All N checks pass" / "K of N checks fail", the verdict, and the JSON report to copy. */
export function SummaryBanner({ report }: { report: DiagnosticsReport }) {
  const [copy, setCopy] = useState<CopyState>('idle');
  const json = JSON.stringify(report, null, 2);
  const ok = report.summary.failed === 0 && report.summary.total > 0;
  const onCopy = () => {
    navigator.clipboard.writeText(json).then(
      () => setCopy('copied'),
      () => setCopy('refused'),
    );
  };
  return (
    <section
      className={ok ? 'diag-summary pass' : 'diag-summary fail'}
      aria-labelledby="diag-summary-h"
      data-testid="diag-summary"
    >
      <div className="diag-summary-text">
        <h2 id="diag-summary-h">
          <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {report.summary.line}
        </h2>
        <p className="diag-verdict">{report.summary.verdict}</p>
        <p className="detail">
          Finished in {(report.ms / 1000).toFixed(1)} s, {report.suites.length} suite
          {report.suites.length === 1 ? '' : 's'}.
        </p>
      </div>
      <div className="diag-summary-actions">
        <button className="diag-secondary-button" onClick={onCopy}>
          Copy report as JSON
        </button>
        <span className="detail" role="status">
          {copy === 'copied' && 'Copied to the clipboard.'}
          {copy === 'refused' &&
            'The browser refused the clipboard; the report is below to select.'}
        </span>
      </div>
      {copy === 'refused' && (
        <textarea
          className="diag-json mono"
          readOnly
          value={json}
          aria-label="Report as JSON"
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
    </section>
  );
}
