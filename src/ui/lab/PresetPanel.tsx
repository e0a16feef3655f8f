/** The preset's explanation, beside the charts: what the experiment shows and what to watch. */
import { useStore } from 'zustand';
import { presetById } from '../../train/presets';
import { encodeLane } from './laneCodec';
import { useLab } from './labContext';
import { presetConfig } from './settings';

const CUSTOM_EXPLANATION =
  'Your own set of lanes. Every lane trains the same model from its seed on the same batches, in lockstep, so any difference between the curves comes from the lanes’ settings: the recipe (which format each tensor is stored in), the loss scaler, the router’s precision, the optimizer.';

export function PresetPanel() {
  const { stores, actions } = useLab();
  const presetId = useStore(stores.config, (s) => s.presetId);
  const lanes = useStore(stores.config, (s) => s.lanes);
  const preset = presetId ? presetById(presetId) : undefined;
  const modified =
    preset !== undefined &&
    JSON.stringify(lanes.map((l, i) => encodeLane(l, i, lanes.length))) !==
      JSON.stringify(presetConfig(preset).lanes.map((l, i, all) => encodeLane(l, i, all.length)));
  return (
    <section className="card preset-panel" aria-labelledby="preset-h" data-preset={preset?.id ?? 'custom'}>
      <h2 id="preset-h">{preset ? preset.title : 'Custom experiment'}</h2>
      {modified && (
        <p className="detail">
          Lanes changed since the preset was loaded.{' '}
          <button type="button" className="link-button" onClick={() => preset && actions.applyPreset(preset.id)}>
            Restore the preset
          </button>
        </p>
      )}
      <p className="preset-text">{preset ? preset.explanation : CUSTOM_EXPLANATION}</p>
      {preset && <p className="detail">The point is usually made after about {preset.suggestedSteps} steps of the default model.</p>}
    </section>
  );
}
