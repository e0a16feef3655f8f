import { useEffect, useState } from 'react';
import { probeWebGPU, type ProbeResult } from '../../gpu/probe';
import { selectSuites } from '../../diagnostics/runner';
import { collectSuites } from '../../diagnostics/suites';
import type { NamedSuite } from '../../diagnostics/types';
import { Notice } from '../common/Notice';
import { AdapterCard } from './AdapterCard';
import { FindingsSection } from './FindingsSection';
import { RunCard } from './RunCard';
import { SuiteResults } from './SuiteResults';
import { SummaryBanner } from './SummaryBanner';
import { useDiagnosticsRun } from './useDiagnosticsRun';
import './diagnostics.css';

/** ?suites=conversion,engine limits a run to those suites (the e2e spec uses it to stay fast). */
function suitesFromUrl(): string[] {
  const v = new URLSearchParams(window.location.search).get('suites');
  return v ? v.split(',').filter((s) => s.trim() !== '') : [];
}

interface Setup {
  probe: ProbeResult;
  all: NamedSuite[];
  chosen: NamedSuite[];
  /** Unknown names in ?suites=, as a sentence. */
  urlError: string | null;
}

async function loadSetup(): Promise<Setup> {
  const [probe, all] = await Promise.all([
    probeWebGPU().catch((err: unknown): ProbeResult => ({
      available: false,
      reason: 'request-failed',
      message: `Probing WebGPU failed: ${String(err)}.`,
    })),
    collectSuites(),
  ]);
  try {
    return { probe, all, chosen: selectSuites(all, suitesFromUrl()), urlError: null };
  } catch (err) {
    return { probe, all, chosen: [], urlError: (err as Error).message };
  }
}

/** The Diagnostics tab: runs every self-test on this GPU and says what its f32 arithmetic does. */
export function DiagnosticsPage() {
  const [setup, setSetup] = useState<Setup | null>(null);
  useEffect(() => {
    let live = true;
    loadSetup().then((s) => live && setSetup(s));
    return () => {
      live = false;
    };
  }, []);
  if (!setup)
    return <p className="loading">Looking for the WebGPU adapter and the self-test suites…</p>;
  return <Diagnostics setup={setup} />;
}

function Diagnostics({ setup }: { setup: Setup }) {
  const { state, start } = useDiagnosticsRun(setup.chosen);
  const { probe, all, chosen, urlError } = setup;
  return (
    <div className="diagnostics-page">
      <AdapterCard probe={probe} />
      {urlError && (
        <Notice kind="error" title="This link names a self-test suite that does not exist">
          <p>{urlError}</p>
          <p>Remove &suites= from the address to run every suite.</p>
        </Notice>
      )}
      <RunCard
        all={all}
        chosen={chosen}
        software={probe.available && probe.adapter.isSoftware}
        state={state}
        canRun={!urlError && chosen.length > 0}
        onRun={start}
      />
      {state.phase === 'error' && (
        <Notice kind="error" title="The self-tests could not run">
          <p>{state.error}</p>
        </Notice>
      )}
      {state.report && <SummaryBanner report={state.report} />}
      <FindingsSection findings={state.findings} measuring={state.current === 'findings'} />
      <SuiteResults chosen={chosen} state={state} />
    </div>
  );
}
