/**
 * The run's controls and counters: play / pause, single step, reset, the speed cap, the step
 * counter, state and speed as the worker measures them, exports, the link, and help.
 */
import { useState } from 'react';
import { useStore } from 'zustand';
import { formatValue } from '../charts/scales';
import { useAnimationFrameValue } from '../charts/useLive';
import { useLab } from './labContext';

export const SPEED_CAPS = [1, 2, 5, 10, 20, 50, Infinity] as const;

const STATE_TEXT: Record<string, string> = {
  unconfigured: 'not started',
  configuring: 'preparing the run…',
  paused: 'paused',
  playing: 'training',
  stepping: 'stepping',
};

export function Toolbar() {
  const { stores, actions } = useLab();
  const state = useStore(stores.run, (s) => s.state);
  const step = useAnimationFrameValue(stores.series, (s) => s.maxStep);
  const workerStep = useStore(stores.run, (s) => s.step);
  const measured = useStore(stores.run, (s) => s.stepsPerSecond);
  const backend = useStore(stores.run, (s) => s.backend);
  const lost = useStore(stores.run, (s) => s.deviceLost !== null && s.deviceLost.step !== null);
  const cap = useStore(stores.config, (s) => s.stepsPerSecond);
  const hasFrames = useAnimationFrameValue(stores.series, (s) => s.frameCount > 0);
  const hasRun = useStore(stores.run, (s) => s.configured !== null);
  const stale = useStore(stores.config, (s) => s.revision) !== useStore(stores.run, (s) => s.configured?.revision ?? -1);
  const [linkState, setLinkState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const running = state === 'playing' || state === 'stepping';
  const busy = state === 'configuring';
  const caps = SPEED_CAPS.includes(cap as (typeof SPEED_CAPS)[number]) ? SPEED_CAPS : [...SPEED_CAPS.slice(0, -1), cap, Infinity].sort((a, b) => a - b);

  const copy = async () => {
    setLinkState((await actions.copyLink()) ? 'copied' : 'failed');
    setTimeout(() => setLinkState('idle'), 4000);
  };

  return (
    <section className="card toolbar" aria-label="Run controls">
      <div className="transport">
        <button type="button" className="primary" onClick={actions.togglePlay} disabled={busy} aria-keyshortcuts="Space" data-action="play">
          {running ? '❚❚ Pause' : stale && hasRun ? '▶ Play (new run)' : '▶ Play'}
        </button>
        <button type="button" onClick={actions.stepOnce} disabled={busy || running} aria-keyshortcuts="S" data-action="step">
          Step
        </button>
        <button type="button" onClick={actions.reset} disabled={busy || (!hasRun && !hasFrames)} aria-keyshortcuts="R" data-action="reset">
          Reset
        </button>
        <label className="speed">
          <span>Speed cap</span>
          <select value={String(cap)} onChange={(e) => actions.setSpeed(Number(e.target.value))} aria-label="Steps per second cap">
            {caps.map((c) => (
              <option key={c} value={String(c)}>
                {Number.isFinite(c) ? `${c} steps/s` : 'no cap'}
              </option>
            ))}
          </select>
        </label>
      </div>
      <dl className="counters">
        <div>
          <dt>step</dt>
          <dd className="mono" data-counter="step">
            {Math.max(step, workerStep)}
          </dd>
        </div>
        <div>
          <dt>state</dt>
          <dd data-counter="state" data-state={state}>
            {lost && state === 'unconfigured' ? 'GPU device lost' : (STATE_TEXT[state] ?? state)}
          </dd>
        </div>
        <div>
          <dt>steps/s</dt>
          <dd className="mono" data-counter="speed">
            {running ? formatValue(measured) : '—'}
          </dd>
        </div>
        <div>
          <dt>backend</dt>
          <dd data-counter="backend">{backend === 'webgpu' ? 'WebGPU' : backend === 'cpu' ? 'CPU reference' : '—'}</dd>
        </div>
      </dl>
      <div className="toolbar-right">
        <button type="button" onClick={actions.exportCsv} disabled={!hasFrames} title="Long form: step, lane, metric, value" data-action="export-csv">
          CSV
        </button>
        <button type="button" onClick={actions.exportJson} disabled={!hasRun} title="Configuration and every series" data-action="export-json">
          JSON
        </button>
        <button type="button" onClick={() => void copy()} data-action="copy-link" title="Copy a link that reproduces these settings">
          {linkState === 'copied' ? 'Link copied' : 'Copy link'}
        </button>
        <button type="button" className="help-button" onClick={() => stores.ui.getState().setHelpOpen(true)} aria-keyshortcuts="?" title="Keyboard shortcuts">
          ?
        </button>
      </div>
      {linkState === 'failed' && (
        <p className="link-fallback">
          The clipboard refused; copy the link from here:{' '}
          <input className="mono" readOnly value={window.location.href} onFocus={(e) => e.currentTarget.select()} aria-label="Link to these settings" />
        </p>
      )}
    </section>
  );
}
