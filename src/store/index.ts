/**
 * The lab's state, in four slices built without React (zustand/vanilla): configuration (in the
 * URL), UI settings (in the URL) and hover state, the live series, and the run as the worker
 * reports it. React components read them with zustand's useStore; charts subscribe to the series
 * version transiently.
 */
import { createLabConfigStore, type LabConfig, type LabConfigStore } from './labConfig';
import { createRunStore, type RunStore } from './runState';
import { createSeriesStore, type SeriesStore } from './series';
import { createUiStore, UI_DEFAULTS, type UiSettings, type UiStore } from './uiState';

export interface LabStores {
  config: LabConfigStore;
  ui: UiStore;
  series: SeriesStore;
  run: RunStore;
}

export function createLabStores(config: LabConfig, ui: UiSettings = UI_DEFAULTS): LabStores {
  return {
    config: createLabConfigStore(config),
    ui: createUiStore(ui),
    series: createSeriesStore(),
    run: createRunStore(),
  };
}

/** Every slice back to where it started (tests; a fresh page). */
export function resetLabStores(stores: LabStores): void {
  stores.config.getState().reset();
  stores.ui.getState().reset();
  stores.series.getState().clear();
  stores.run.getState().reset();
}

export { ChunkedArray } from './chunked';
export { createLabConfigStore, labConfigOf } from './labConfig';
export type { BackendChoice, LabConfig, LabConfigActions, LabConfigState, LabConfigStore, LaneEntry } from './labConfig';
export { LANE_PALETTE, colourName, defaultColours, isHexColour, nextColour } from './palette';
export { createRunStore } from './runState';
export type { ConfiguredRun, RunProblem, RunSlice, RunStore } from './runState';
export { LaneSeries, createSeriesStore, frameMetrics } from './series';
export type { GradHistogram, MemoryEstimate, SampleEntry, SeriesState, SeriesStore } from './series';
export { connectSession } from './session';
export type { AfterConfigure, LabClientLike, LabSession } from './session';
export { UI_DEFAULTS, createUiStore, uiSettingsOf } from './uiState';
export type { UiSettings, UiState, UiStore } from './uiState';
export { clip, readParams, writeParams } from './urlParams';
export type { ParseResult, ReadResult, UrlParam } from './urlParams';
