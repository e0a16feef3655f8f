/** The experiment's settings shared by every lane: preset, model size, task, data seed, backend. */
import { useState } from 'react';
import { useStore } from 'zustand';
import { DATASET_NAMES, isDatasetName } from '../../data';
import { MODEL_SIZES, MODEL_SIZE_NAMES } from '../../model/config';
import { PRESETS } from '../../train/presets';
import { useLab } from './labContext';

const DATASET_LABELS: Record<string, string> = {
  shakespeare: 'Tiny Shakespeare',
  synthetic: 'Synthetic sub-languages',
};

export function ExperimentBar() {
  const { stores, actions } = useLab();
  const presetId = useStore(stores.config, (s) => s.presetId);
  const modelSize = useStore(stores.config, (s) => s.modelSize);
  const dataset = useStore(stores.config, (s) => s.dataset);
  const dataSeed = useStore(stores.config, (s) => s.dataSeed);
  const backend = useStore(stores.config, (s) => s.backend);
  const [seedText, setSeedText] = useState(String(dataSeed));
  const [seedShown, setSeedShown] = useState(dataSeed);
  if (seedShown !== dataSeed) {
    // The seed changed elsewhere (a preset, a link): show it.
    setSeedShown(dataSeed);
    setSeedText(String(dataSeed));
  }
  const seedValue = Number(seedText);
  const seedOk = seedText.trim() !== '' && Number.isInteger(seedValue) && seedValue >= 0 && seedValue <= 0xffffffff;

  return (
    <section className="card experiment-bar" aria-label="Experiment">
      <label>
        <span>Preset</span>
        <select value={presetId ?? ''} onChange={(e) => actions.applyPreset(e.target.value)} aria-label="Preset experiment">
          {presetId === null && <option value="">Custom</option>}
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Model</span>
        <select value={modelSize} onChange={(e) => stores.config.getState().setModelSize(e.target.value)} aria-label="Model size">
          {MODEL_SIZE_NAMES.map((n) => {
            const m = MODEL_SIZES[n];
            return (
              <option key={n} value={n}>
                {n} (d={m.d}, L={m.layers}, E={m.experts}, T={m.context}, B={m.batch})
              </option>
            );
          })}
        </select>
      </label>
      <label>
        <span>Task</span>
        <select
          value={dataset}
          onChange={(e) => isDatasetName(e.target.value) && stores.config.getState().setDataset(e.target.value)}
          aria-label="Dataset"
        >
          {DATASET_NAMES.map((n) => (
            <option key={n} value={n}>
              {DATASET_LABELS[n] ?? n}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Data seed</span>
        <input
          className="mono seed-input"
          value={seedText}
          aria-label="Data seed"
          aria-invalid={!seedOk}
          onChange={(e) => {
            const text = e.target.value;
            setSeedText(text);
            const v = Number(text);
            if (text.trim() !== '' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) {
              setSeedShown(v);
              stores.config.getState().setDataSeed(v);
            }
          }}
        />
      </label>
      {!seedOk && <span className="input-error">The data seed must be a whole number from 0 to 4294967295.</span>}
      <label>
        <span>Backend</span>
        <select value={backend} onChange={(e) => stores.config.getState().setBackend(e.target.value === 'cpu' ? 'cpu' : 'auto')} aria-label="Backend">
          <option value="auto">WebGPU when available</option>
          <option value="cpu">CPU reference</option>
        </select>
      </label>
    </section>
  );
}
