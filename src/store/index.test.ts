import { describe, expect, it } from 'vitest';
import { createLabStores, resetLabStores } from './index';
import type { LabConfig } from './labConfig';
import { seededRandom, syntheticFrame } from './testFrames.testutil';

const CONFIG: LabConfig = {
  presetId: null,
  lanes: [],
  modelSize: 'tiny',
  dataset: 'synthetic',
  dataSeed: 3,
  stepsPerSecond: 10,
  backend: 'cpu',
};

describe('lab stores', () => {
  it('resetLabStores puts every slice back where it started', () => {
    const stores = createLabStores(CONFIG);
    const fresh = {
      config: { ...stores.config.getState() },
      ui: { ...stores.ui.getState() },
      run: { ...stores.run.getState() },
    };
    stores.config.getState().setModelSize('default');
    stores.ui.getState().toggleLane('x');
    stores.ui.getState().setHoveredStep(5);
    stores.series.getState().append([syntheticFrame('x', 1, seededRandom(1))]);
    stores.run.getState().setError({ message: 'boom' });
    resetLabStores(stores);
    const strip = <T extends object>(o: T) => JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'function' ? undefined : v)));
    expect(strip(stores.config.getState())).toEqual(strip(fresh.config));
    expect(strip(stores.ui.getState())).toEqual(strip(fresh.ui));
    expect(strip(stores.run.getState())).toEqual(strip(fresh.run));
    expect(stores.series.getState().frames()).toHaveLength(0);
    expect(stores.series.getState().lanes.size).toBe(0);
  });
});
