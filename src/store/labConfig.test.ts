import { describe, expect, it } from 'vitest';
import type { LaneConfig } from '../worker/protocol';
import { createLabConfigStore, type LabConfig } from './labConfig';
import { LANE_PALETTE } from './palette';

const lane = (id: string, recipe: LaneConfig['recipe'] = 'fp32'): LaneConfig => ({
  id,
  recipe,
  router: 'f32',
  lr: 1e-3,
  schedule: { kind: 'constant' },
  gradClip: 1,
  balanceCoef: 0.01,
  zLossCoef: 0.001,
  seed: 1,
});

const INITIAL: LabConfig = {
  presetId: 'p',
  lanes: [{ config: lane('a'), colour: LANE_PALETTE[0].hex }],
  modelSize: 'tiny',
  dataset: 'synthetic',
  dataSeed: 1,
  stepsPerSecond: Infinity,
  backend: 'auto',
};

describe('lab config store', () => {
  it('bumps the revision for what the trainer uses, not for names, colours or the speed cap', () => {
    const store = createLabConfigStore(INITIAL);
    const s = () => store.getState();
    s().renameLane('a', 'Lane A');
    s().setColour('a', '#000000');
    s().setStepsPerSecond(5);
    expect(s().revision).toBe(0);
    s().setLane('a', { ...lane('a'), label: 'Lane A again' });
    expect(s().revision).toBe(0);
    s().setLane('a', { ...lane('a'), lr: 0.01 });
    expect(s().revision).toBe(1);
    s().setModelSize('default');
    s().addLane(lane('b', 'bf16-amp'));
    expect(s().revision).toBe(3);
    // Lane a took black, so blue (the first colour) is free again.
    expect(s().lanes[1].colour).toBe(LANE_PALETTE[0].hex);
  });

  it('keeps the id when a lane config is replaced', () => {
    const store = createLabConfigStore(INITIAL);
    store.getState().setLane('a', { ...lane('zzz'), lr: 0.5 });
    expect(store.getState().lanes[0].config.id).toBe('a');
    expect(store.getState().lanes[0].config.lr).toBe(0.5);
  });

  it('reset() returns to the initial config, untouched by edits in between', () => {
    const store = createLabConfigStore(INITIAL);
    store.getState().setLane('a', { ...lane('a'), lr: 7 });
    store.getState().removeLane('a');
    store.getState().reset();
    expect(store.getState().lanes).toEqual(INITIAL.lanes);
    expect(store.getState().lanes[0].config.lr).toBe(1e-3);
    expect(store.getState().revision).toBe(0);
  });
});
