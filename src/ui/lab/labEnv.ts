/**
 * The Lab's stores, worker session and actions live as long as the page, not as long as the
 * Lab tab is open: looking a value up in the Formats explorer must not stop a run. Built on the
 * first visit from the URL (whose unreadable parts become notices), kept in sync with it after.
 */
import { probeWebGPU, type ProbeResult } from '../../gpu/probe';
import { connectSession, createLabStores, labConfigOf, uiSettingsOf, type LabSession, type LabStores } from '../../store';
import { createLabClient } from '../../worker/client';
import { createLabActions, type LabActions } from './actions';
import { readLabUrl, writeLabUrl } from './labUrl';
import type { LabSettings } from './settings';

export interface LabRuntime {
  stores: LabStores;
  actions: LabActions;
  /** What the link held that could not be used, one sentence each (plain text). */
  urlNotices: string[];
  probe: Promise<ProbeResult>;
  /** Starts the worker (once) and the URL sync; idempotent. */
  start(): void;
  /** Writes the settings into the address bar (while the Lab is the page shown). */
  syncUrl(): void;
}

let runtime: LabRuntime | null = null;

export function settingsOf(stores: LabStores): LabSettings {
  return { ...labConfigOf(stores.config.getState()), ...uiSettingsOf(stores.ui.getState()) };
}

export function labRuntime(): LabRuntime {
  if (runtime) return runtime;
  const { settings, notices } = readLabUrl(window.location.search);
  const stores = createLabStores(labConfigOf(settings), uiSettingsOf(settings));
  let session: LabSession | null = null;
  let probe: Promise<ProbeResult> | null = null;
  const getProbe = () => (probe ??= probeWebGPU());
  const actions = createLabActions({ stores, session: () => session, probe: getProbe });
  let started = false;
  runtime = {
    stores,
    actions,
    urlNotices: notices,
    get probe() {
      return getProbe();
    },
    start() {
      if (started) return;
      started = true;
      session = connectSession(createLabClient(), stores);
      session.setSpeed(stores.config.getState().stepsPerSecond);
      // Settings that change the run pause it: the next Play starts a run with them.
      stores.config.subscribe((s, before) => {
        const state = stores.run.getState().state;
        if (s.revision !== before.revision && (state === 'playing' || state === 'stepping')) session?.pause();
      });
      const sync = () => runtime?.syncUrl();
      stores.config.subscribe(sync);
      stores.ui.subscribe((s, before) => {
        if (s.hoveredStep === before.hoveredStep && s.helpOpen === before.helpOpen) sync();
      });
      sync();
    },
    syncUrl() {
      const view = new URLSearchParams(window.location.search).get('view');
      if (view === null || view === 'lab') writeLabUrl(settingsOf(stores));
    },
  };
  return runtime;
}
