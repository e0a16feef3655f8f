/**
 * The Lab: lanes (one precision recipe each) training the same MoE model in lockstep, with the
 * run's controls above, the preset's explanation and the generated text beside the charts.
 */
import { useEffect, useState } from 'react';
import { EventsChart } from '../charts/EventsChart';
import { ExpertLoadChart } from '../charts/ExpertLoadChart';
import { GradHistogramChart } from '../charts/GradHistogramChart';
import { LossChart } from '../charts/LossChart';
import { LossScaleChart } from '../charts/LossScaleChart';
import { LostUpdatesChart } from '../charts/LostUpdatesChart';
import { MemoryChart } from '../charts/MemoryChart';
import { TokensChart } from '../charts/TokensChart';
import { WeightNormChart } from '../charts/WeightNormChart';
import { ExperimentBar } from './ExperimentBar';
import { HelpOverlay } from './HelpOverlay';
import { LabContext, type LabEnv } from './labContext';
import { labRuntime } from './labEnv';
import { LabNotices } from './LabNotices';
import { Lanes } from './Lanes';
import { PresetPanel } from './PresetPanel';
import { SamplesPanel } from './SamplesPanel';
import { Toolbar } from './Toolbar';
import { useShortcuts } from './useShortcuts';
import './lab.css';

export function LabPage() {
  const [runtime] = useState(labRuntime);
  const [env] = useState<LabEnv>(() => ({ stores: runtime.stores, actions: runtime.actions }));
  useEffect(() => {
    runtime.start();
    runtime.syncUrl();
  }, [runtime]);
  useShortcuts(env);
  return (
    <LabContext.Provider value={env}>
      <div className="lab-page">
        <LabNotices urlNotices={runtime.urlNotices} probe={runtime.probe} />
        <Toolbar />
        <ExperimentBar />
        <Lanes />
        <div className="lab-body">
          <div className="charts-grid">
            <LossChart />
            <TokensChart />
            <div className="wide">
              <EventsChart />
            </div>
            <LossScaleChart />
            <GradHistogramChart />
            <WeightNormChart />
            <LostUpdatesChart />
            <ExpertLoadChart />
            <MemoryChart />
          </div>
          <aside className="lab-side">
            <PresetPanel />
            <SamplesPanel />
          </aside>
        </div>
        <HelpOverlay />
      </div>
    </LabContext.Provider>
  );
}
