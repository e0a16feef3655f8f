import type { CheckResult, NamedSuite, SuiteReport } from '../../diagnostics/types';
import type { RunState } from './useDiagnosticsRun';

const time = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

function CheckRow({ c }: { c: CheckResult }) {
  const [label, cls] = !c.pass
    ? ['fail', 'badge fail']
    : c.skipped
      ? ['skipped', 'badge no']
      : ['pass', 'badge yes'];
  return (
    <tr data-check={c.name} data-pass={c.pass}>
      <td>
        <span className={cls}>{label}</span>
      </td>
      <th scope="row">{c.name}</th>
      <td className="detail diag-check-detail">{c.detail}</td>
      <td className="num mono detail">{time(c.ms)}</td>
    </tr>
  );
}

function SuiteBlock({
  suite,
  report,
  status,
}: {
  suite: NamedSuite;
  report?: SuiteReport;
  status: string;
}) {
  const failed = report ? report.results.filter((r) => !r.pass).length : 0;
  const head = (
    <>
      <h3>{suite.name}</h3>
      {report ? (
        <>
          <span className={failed ? 'badge fail' : 'badge yes'}>
            {failed
              ? `${failed} of ${report.results.length} fail`
              : `${report.results.length} pass`}
          </span>
          <span className="detail mono">{time(report.ms)}</span>
        </>
      ) : (
        <span className={status === 'running…' ? 'badge warn' : 'badge no'}>{status}</span>
      )}
    </>
  );
  return (
    <section className="card diag-suite" aria-label={`${suite.name} checks`} data-suite={suite.id}>
      {report ? (
        // A suite that passes folds away; one with failures opens so they are seen.
        <details open={failed > 0}>
          <summary className="diag-suite-head">
            {head}
            <span className="detail diag-fold-hint">{failed > 0 ? '' : 'show the checks'}</span>
          </summary>
          <table className="data-table diag-checks">
            <tbody>
              {report.results.map((c, i) => (
                <CheckRow key={`${i}-${c.name}`} c={c} />
              ))}
            </tbody>
          </table>
        </details>
      ) : (
        <div className="diag-suite-head">{head}</div>
      )}
    </section>
  );
}

/** Checks grouped by suite, filling in as suites finish. */
export function SuiteResults({
  chosen,
  state,
}: {
  chosen: readonly NamedSuite[];
  state: RunState;
}) {
  if (state.phase === 'idle') return null;
  return (
    <div className="diag-suites">
      <h2>Checks</h2>
      {chosen.map((s, i) => {
        const report = state.reports.find((r) => r.id === s.id);
        const status =
          state.current === i ? 'running…' : state.phase === 'running' ? 'waiting' : 'not run';
        return <SuiteBlock key={s.id} suite={s} report={report} status={status} />;
      })}
    </div>
  );
}
