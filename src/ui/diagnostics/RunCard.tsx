import { useEffect, useState } from 'react';
import type { NamedSuite } from '../../diagnostics/types';
import { lastRunMs, rememberRun } from './lastRun';
import type { RunState } from './useDiagnosticsRun';

const BUILT_IN = new Set(['conversion', 'engine']);

/** A rough duration: the last run of these suites here, else from runs on SwiftShader (two cores:
 * conversion + engine ≈ 5 s, each kernel suite 5–50 s, six suites ≈ 110 s). */
function estimate(chosen: readonly NamedSuite[], software: boolean, last: number | null): string {
  if (last !== null)
    return `The last run of these suites in this browser took ${Math.max(1, Math.round(last / 1000))} s.`;
  const kernelSuites = chosen.filter((s) => !BUILT_IN.has(s.id)).length;
  if (!software) return 'A few seconds on a GPU.';
  const base =
    'About 5 seconds for the conversion and engine suites on a software adapter like this one';
  return kernelSuites
    ? `${base}, plus 5–50 s for each of the ${kernelSuites} model kernel suite${kernelSuites > 1 ? 's' : ''}; on a GPU, a few seconds in all.`
    : `${base}; on a GPU, under a second.`;
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(id);
  }, []);
  return (
    <span className="mono diag-elapsed">{Math.max(0, (now - since) / 1000).toFixed(0)} s</span>
  );
}

export function RunCard({
  all,
  chosen,
  software,
  state,
  canRun,
  onRun,
}: {
  all: readonly NamedSuite[];
  chosen: readonly NamedSuite[];
  software: boolean;
  state: RunState;
  canRun: boolean;
  onRun: () => void;
}) {
  const running = state.phase === 'running';
  const suiteKey = chosen.map((s) => s.id).join(',');
  const finishedMs = state.report?.ms;
  useEffect(() => {
    if (finishedMs !== undefined) rememberRun(suiteKey, finishedMs);
  }, [finishedMs, suiteKey]);
  const status =
    state.current === 'findings'
      ? "Measuring the device's f32 arithmetic…"
      : typeof state.current === 'number'
        ? `Running suite ${state.current + 1} of ${chosen.length}: ${chosen[state.current]?.name}…`
        : null;
  return (
    <section className="card diag-run" aria-labelledby="diag-run-h">
      <div className="diag-run-main">
        <div>
          <h2 id="diag-run-h">Self-tests</h2>
          <p className="diag-lead">
            Every GPU kernel of the lab is checked against the CPU truth, bit for bit where the lab
            promises bit-exact results, and the device’s own f32 arithmetic is measured.
          </p>
          <p className="detail" data-testid="diag-estimate">
            {estimate(chosen, software, lastRunMs(suiteKey))} Results appear suite by suite.
          </p>
        </div>
        <div className="diag-run-action">
          <button className="diag-run-button" onClick={onRun} disabled={running || !canRun}>
            {running ? 'Running…' : state.phase === 'idle' ? 'Run self-tests' : 'Run again'}
          </button>
          {running && state.startedAt !== null && (
            <div className="diag-status" role="status" aria-live="polite">
              {status} <span aria-hidden="true">·</span> <Elapsed since={state.startedAt} />
            </div>
          )}
        </div>
      </div>
      <div className="diag-suite-chips" aria-label="Suites to run">
        <span className="detail">
          {chosen.length === all.length
            ? `${all.length} suites:`
            : `${chosen.length} of ${all.length} suites (chosen by the link's &suites=):`}
        </span>
        {all.map((s) => (
          <span
            key={s.id}
            className={chosen.includes(s) ? 'diag-chip' : 'diag-chip off'}
            title={
              chosen.includes(s)
                ? `runs (id "${s.id}")`
                : `not in this link's &suites= (id "${s.id}")`
            }
          >
            {s.name}
          </span>
        ))}
      </div>
    </section>
  );
}
