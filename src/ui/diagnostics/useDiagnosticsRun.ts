import { useCallback, useEffect, useReducer, useRef } from 'react';
import { runDiagnostics } from '../../diagnostics/run';
import type {
  DiagnosticsReport,
  Findings,
  NamedSuite,
  Progress,
  SuiteReport,
} from '../../diagnostics/types';

/** A run's state as the page draws it; suites fill in one at a time. */
export interface RunState {
  phase: 'idle' | 'running' | 'done' | 'error';
  /** 'findings' while the device behaviour is measured, else the running suite's index. */
  current: 'findings' | number | null;
  findings: Findings | null;
  reports: SuiteReport[];
  report: DiagnosticsReport | null;
  error: string | null;
  startedAt: number | null;
}

const initial: RunState = {
  phase: 'idle',
  current: null,
  findings: null,
  reports: [],
  report: null,
  error: null,
  startedAt: null,
};

type Action =
  | { type: 'start'; at: number }
  | { type: 'progress'; p: Progress }
  | { type: 'done'; report: DiagnosticsReport }
  | { type: 'error'; message: string };

function reduce(s: RunState, a: Action): RunState {
  switch (a.type) {
    case 'start':
      return { ...initial, phase: 'running', startedAt: a.at };
    case 'progress': {
      const p = a.p;
      if (p.type === 'findings-start') return { ...s, current: 'findings' };
      if (p.type === 'findings-done') return { ...s, findings: p.findings };
      if (p.type === 'suite-start') return { ...s, current: p.index };
      return { ...s, reports: [...s.reports, p.report] };
    }
    case 'done':
      return { ...s, phase: 'done', current: null, report: a.report, findings: a.report.findings };
    case 'error':
      return { ...s, phase: 'error', current: null, error: a.message };
  }
}

/** Runs the chosen suites once per start(); progress arrives suite by suite. */
export function useDiagnosticsRun(suites: readonly NamedSuite[]) {
  const [state, dispatch] = useReducer(reduce, initial);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const start = useCallback(() => {
    dispatch({ type: 'start', at: performance.now() });
    const send = (a: Action) => live.current && dispatch(a);
    runDiagnostics({
      collected: suites,
      onProgress: (p) => send({ type: 'progress', p }),
    }).then(
      (report) => send({ type: 'done', report }),
      (err: unknown) => send({ type: 'error', message: (err as Error).message ?? String(err) }),
    );
  }, [suites]);
  return { state, start };
}
