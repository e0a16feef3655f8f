/**
 * The lab's configuration slice: the lanes (each a LaneConfig plus its colour), the model size,
 * the task, the data seed, the speed cap, the backend choice and the preset it came from. Plain
 * data; the URL table (ui/lab/labUrl.ts) reads and writes all of it, so a link reproduces it.
 *
 * `revision` counts changes the trainer depends on; a lane's name and colour and the speed cap
 * are not among them, so renaming a lane does not start a new run.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DatasetName, LaneConfig } from '../worker/protocol';
import { nextColour } from './palette';

export interface LaneEntry {
  config: LaneConfig;
  /** '#rrggbb', one per lane on every chart. */
  colour: string;
}

/** 'auto': WebGPU when the browser has it, else the CPU reference; 'cpu': always the reference. */
export type BackendChoice = 'auto' | 'cpu';

export interface LabConfig {
  /** The preset the lanes were loaded from (its explanation is shown), or null. */
  presetId: string | null;
  lanes: LaneEntry[];
  /** A named model size ('tiny', 'default'; model/config.ts MODEL_SIZE_NAMES). */
  modelSize: string;
  dataset: DatasetName;
  /** u32 seed of the batch order, shared by every lane. */
  dataSeed: number;
  /** Cap while playing; Infinity for as fast as the device goes. */
  stepsPerSecond: number;
  backend: BackendChoice;
}

export interface LabConfigActions {
  /** Replaces the given fields (a preset, a link). */
  load(config: Partial<LabConfig>): void;
  /** Appends a lane; its colour is the first free palette colour unless given. */
  addLane(config: LaneConfig, colour?: string): void;
  removeLane(id: string): void;
  /** Replaces a lane's config (the lane editor); the id may not change here. */
  setLane(id: string, config: LaneConfig): void;
  renameLane(id: string, label: string): void;
  setColour(id: string, colour: string): void;
  setModelSize(size: string): void;
  setDataset(dataset: DatasetName): void;
  setDataSeed(seed: number): void;
  setStepsPerSecond(stepsPerSecond: number): void;
  setBackend(backend: BackendChoice): void;
  setPreset(presetId: string | null): void;
  /** Back to the configuration the store was created with. */
  reset(): void;
}

export type LabConfigState = LabConfig & LabConfigActions & { revision: number };
export type LabConfigStore = StoreApi<LabConfigState>;

export function createLabConfigStore(initial: LabConfig): LabConfigStore {
  return createStore<LabConfigState>()((set, get) => {
    const mapLane = (id: string, f: (lane: LaneEntry) => LaneEntry): LaneEntry[] =>
      get().lanes.map((lane) => (lane.config.id === id ? f(lane) : lane));
    const bump = () => get().revision + 1;
    return {
      ...structuredClone(initial),
      revision: 0,
      load: (config) => set({ ...structuredClone(config), revision: bump() }),
      addLane: (config, colour) =>
        set({
          lanes: [...get().lanes, { config, colour: colour ?? nextColour(get().lanes.map((l) => l.colour)) }],
          revision: bump(),
        }),
      removeLane: (id) => set({ lanes: get().lanes.filter((l) => l.config.id !== id), revision: bump() }),
      setLane: (id, config) => {
        const before = get().lanes.find((l) => l.config.id === id);
        if (!before) return;
        const { label: _a, ...was } = before.config;
        const { label: _b, ...now } = config;
        const trainerChanged = JSON.stringify(was) !== JSON.stringify(now);
        set({
          lanes: mapLane(id, (l) => ({ ...l, config: { ...config, id } })),
          revision: trainerChanged ? bump() : get().revision,
        });
      },
      renameLane: (id, label) => set({ lanes: mapLane(id, (l) => ({ ...l, config: { ...l.config, label } })) }),
      setColour: (id, colour) => set({ lanes: mapLane(id, (l) => ({ ...l, colour })) }),
      setModelSize: (modelSize) => set({ modelSize, revision: bump() }),
      setDataset: (dataset) => set({ dataset, revision: bump() }),
      setDataSeed: (dataSeed) => set({ dataSeed, revision: bump() }),
      setStepsPerSecond: (stepsPerSecond) => set({ stepsPerSecond }),
      setBackend: (backend) => set({ backend, revision: bump() }),
      setPreset: (presetId) => set({ presetId }),
      reset: () => set({ ...structuredClone(initial), revision: 0 }),
    };
  });
}

/** The configuration part of the state (no actions, no revision). */
export function labConfigOf(s: LabConfig): LabConfig {
  const { presetId, lanes, modelSize, dataset, dataSeed, stepsPerSecond, backend } = s;
  return { presetId, lanes, modelSize, dataset, dataSeed, stepsPerSecond, backend };
}
