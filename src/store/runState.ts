/**
 * The run slice: what the worker last said about the run (state, step, backend, speed, lanes),
 * the problems it reported, and the configuration it was given (exports describe that run, not
 * the settings edited since).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DatasetName, LaneStatus, RunConfig, RunState, StatusMessage } from '../worker/protocol';

export interface ConfiguredRun {
  run: RunConfig;
  dataset: DatasetName;
  backend: 'webgpu' | 'cpu';
  /** The lab config's revision it was built from. */
  revision: number;
}

/** The GPU device went away (the worker's deviceLost message). */
export interface DeviceLoss {
  reason: string;
  /** Steps done when it went, and where a resume goes on from; null when the run did not use
   * the GPU (and goes on). */
  step: number | null;
  snapshotStep: number | null;
}

export interface RunProblem {
  message: string;
  details?: string[];
}

export interface RunSlice {
  state: RunState;
  step: number;
  backend: 'webgpu' | 'cpu' | null;
  /** Measured by the worker over the last second of playing. */
  stepsPerSecond: number;
  lanes: LaneStatus[];
  /** Why the run is not on the backend asked for, when it is not. */
  fallback: string | null;
  error: RunProblem | null;
  /** The GPU device went away, until the person resumes or dismisses. */
  deviceLost: DeviceLoss | null;
  configured: ConfiguredRun | null;
}

export interface RunActions {
  applyStatus(status: StatusMessage): void;
  /** The lab asked for a new run and waits for the worker's first word on it. */
  setConfiguring(): void;
  setError(error: RunProblem | null): void;
  setDeviceLost(loss: DeviceLoss | null): void;
  setConfigured(configured: ConfiguredRun | null): void;
  reset(): void;
}

export type RunStore = StoreApi<RunSlice & RunActions>;

const INITIAL: RunSlice = {
  state: 'unconfigured',
  step: 0,
  backend: null,
  stepsPerSecond: 0,
  lanes: [],
  fallback: null,
  error: null,
  deviceLost: null,
  configured: null,
};

export function createRunStore(): RunStore {
  return createStore<RunSlice & RunActions>()((set, get) => ({
    ...INITIAL,
    applyStatus: (s) => {
      const fallback = s.fallback ?? null;
      // The worker also sends the fallback as an error; the banner already says it.
      const error = fallback !== null && get().error?.message === fallback ? null : get().error;
      set({
        state: s.state,
        step: s.step,
        backend: s.backend,
        stepsPerSecond: s.stepsPerSecond,
        lanes: s.lanes,
        fallback,
        error,
      });
    },
    setConfiguring: () => set({ state: 'configuring' }),
    setError: (error) => set({ error: error && error.message === get().fallback ? null : error }),
    setDeviceLost: (deviceLost) => set({ deviceLost }),
    setConfigured: (configured) => set({ configured }),
    reset: () => set(INITIAL),
  }));
}
