/**
 * What the Lab's controls do, without React: start or continue the run (configuring a new one
 * when the settings changed since the last), pause, step, reset, presets, lanes, exports and the
 * shareable link. The worker session and the WebGPU probe are handed in.
 */
import type { ProbeResult } from '../../gpu/probe';
import type { AfterConfigure, LabSession, LabStores } from '../../store';
import { makeLane } from '../../train/lane';
import { presetById } from '../../train/presets';
import type { RecipeName } from '../../train/recipes';
import { download, exportName, runCsv, runJson } from './exportRun';
import { uniqueId } from './laneCodec';
import { MAX_LANES } from './labUrl';
import { buildRun, configuredRun } from './runConfig';
import { presetConfig } from './settings';
import { vocabOf } from './vocab';

export interface LabActions {
  play(): void;
  pause(): void;
  togglePlay(): void;
  stepOnce(): void;
  reset(): void;
  /** After a lost device: the run again from its last weight snapshot, on a new device (or the
   * CPU), playing. */
  resume(): void;
  /** Destroys the run's GPU device as a driver reset would, to see the recovery. */
  loseDevice(): void;
  setSpeed(stepsPerSecond: number): void;
  applyPreset(id: string): void;
  addLane(recipe: RecipeName): void;
  removeLane(id: string): void;
  exportCsv(): void;
  exportJson(): void;
  /** Copies the page's link; false when the clipboard refused. */
  copyLink(): Promise<boolean>;
  /** Opens the Formats explorer on the value. */
  openInExplorer(value: number): void;
}

export interface ActionDeps {
  stores: LabStores;
  session: () => LabSession | null;
  probe: () => Promise<ProbeResult>;
}

export function createLabActions({ stores, session, probe }: ActionDeps): LabActions {
  let configuring = false;
  const config = () => stores.config.getState();
  const run = () => stores.run.getState();

  /** The run on screen was built from the current settings and is still there. */
  const current = (): boolean => {
    const c = run().configured;
    return c !== null && c.revision === config().revision && run().state !== 'unconfigured';
  };

  async function configure(then: AfterConfigure): Promise<void> {
    const s = session();
    if (!s || configuring) return;
    configuring = true;
    try {
      const cfg = config();
      const vocab = await vocabOf(cfg.dataset, cfg.dataSeed);
      if (!vocab.ok) {
        run().setError({ message: `The ${cfg.dataset} dataset could not be opened: ${vocab.message}` });
        return;
      }
      const built = buildRun(cfg, vocab.value);
      if (!built.ok) {
        run().setError({ message: `The run cannot start: ${built.errors[0]}`, details: built.errors });
        return;
      }
      const backend = cfg.backend === 'cpu' ? 'cpu' : (await probe()).available ? 'webgpu' : 'cpu';
      s.configure(configuredRun(cfg, built.run, backend), then);
    } finally {
      configuring = false;
    }
  }

  /** The run went with its GPU device and can go on from its snapshot (its settings unchanged
   * since; edited settings start their own run). */
  const resumable = (): boolean =>
    run().state === 'unconfigured' &&
    (run().deviceLost?.snapshotStep ?? null) !== null &&
    run().configured?.revision === config().revision;

  const go = (then: NonNullable<AfterConfigure>): void => {
    const s = session();
    if (!s) return;
    // Play or step after a device loss goes on from the snapshot, as Resume does.
    if (resumable()) s.resume(then);
    else if (current()) {
      if (then.type === 'play') s.play();
      else s.step(then.n);
    } else void configure(then);
  };

  const playing = (): boolean => run().state === 'playing' || run().state === 'stepping';

  return {
    play: () => go({ type: 'play' }),
    pause: () => session()?.pause(),
    togglePlay() {
      if (playing()) session()?.pause();
      else go({ type: 'play' });
    },
    stepOnce() {
      if (!playing()) go({ type: 'step', n: 1 });
    },
    reset() {
      if (current()) session()?.reset();
      else if (run().configured) void configure(null);
      else stores.series.getState().clear();
    },
    resume() {
      const s = session();
      if (s && run().state === 'unconfigured' && (run().deviceLost?.snapshotStep ?? null) !== null) s.resume({ type: 'play' });
      else go({ type: 'play' });
    },
    loseDevice: () => session()?.loseDevice(),
    setSpeed(stepsPerSecond) {
      config().setStepsPerSecond(stepsPerSecond);
      session()?.setSpeed(stepsPerSecond);
    },
    applyPreset(id) {
      const preset = presetById(id);
      if (preset) config().load(presetConfig(preset));
      else config().setPreset(null);
      stores.ui.getState().load({ hiddenLanes: [], expertLane: null });
    },
    addLane(recipe) {
      const lanes = config().lanes;
      if (lanes.length >= MAX_LANES) return;
      const id = uniqueId(recipe, lanes.map((l) => l.config.id));
      config().addLane(makeLane(recipe, { id }));
    },
    removeLane(id) {
      if (config().lanes.length <= 1) return;
      config().removeLane(id);
      const ui = stores.ui.getState();
      if (ui.hiddenLanes.includes(id)) ui.toggleLane(id);
      if (ui.expertLane === id) ui.setExpertLane(null);
    },
    exportCsv() {
      download(exportName(stores, 'csv'), new Blob([runCsv(stores)], { type: 'text/csv' }));
    },
    exportJson() {
      const json = runJson(stores);
      if (json !== null) download(exportName(stores, 'json'), new Blob([json], { type: 'application/json' }));
    },
    async copyLink() {
      try {
        await navigator.clipboard.writeText(window.location.href);
        return true;
      } catch {
        return false;
      }
    },
    openInExplorer(value) {
      const url = new URL(window.location.pathname, window.location.origin);
      url.searchParams.set('view', 'formats');
      url.searchParams.set('x', String(value));
      window.history.pushState(null, '', url);
      window.dispatchEvent(new PopStateEvent('popstate'));
    },
  };
}
