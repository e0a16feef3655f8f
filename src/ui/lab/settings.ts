/**
 * Everything a person can set on the Lab page (the configuration and the chart settings) as one
 * flat object, its defaults, and what loading a preset does to it.
 */
import { defaultColours, UI_DEFAULTS, type LabConfig, type LaneEntry, type UiSettings } from '../../store';
import { PRESETS, presetById, type Preset } from '../../train/presets';
import type { LaneConfig } from '../../train/lane';

export type LabSettings = LabConfig & UiSettings;

export const DEFAULT_PRESET: Preset = PRESETS[0];
export const DEFAULT_DATA_SEED = 1337;

/** Lanes with the palette's colours in order. */
export function withColours(lanes: readonly LaneConfig[]): LaneEntry[] {
  const colours = defaultColours(lanes.length);
  return lanes.map((config, i) => ({ config: structuredClone(config), colour: colours[i] }));
}

/** The part of the configuration a preset decides. */
export function presetConfig(preset: Preset): Pick<LabConfig, 'presetId' | 'lanes' | 'modelSize' | 'dataset'> {
  return { presetId: preset.id, lanes: withColours(preset.lanes), modelSize: preset.model, dataset: preset.dataset };
}

export function defaultLabConfig(): LabConfig {
  return {
    ...presetConfig(DEFAULT_PRESET),
    dataSeed: DEFAULT_DATA_SEED,
    stepsPerSecond: Infinity,
    backend: 'auto',
  };
}

export function defaultLabSettings(): LabSettings {
  return { ...defaultLabConfig(), ...structuredClone(UI_DEFAULTS) };
}

/** The lanes, model and task a settings object starts from before its own lane, model and data
 * parameters: its preset's, or the defaults'. */
export function baseOf(presetId: string | null): Pick<LabConfig, 'lanes' | 'modelSize' | 'dataset'> {
  const preset = presetId ? presetById(presetId) : undefined;
  return preset ? presetConfig(preset) : presetConfig(DEFAULT_PRESET);
}
