/**
 * The UI slice: how the charts are drawn (smoothing, hidden lanes, log axes, which tensor, event
 * kind and lane the detail charts show; all in the URL) and the moment-to-moment state that is not
 * (the hovered step of the synced crosshair, the help overlay).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CountedEvent } from '../numerics';

export interface UiSettings {
  /** Exponential-moving-average weight of the train-loss curve, 0 (raw) to 0.99. */
  smoothing: number;
  /** Lane ids not drawn. */
  hiddenLanes: string[];
  /** Ids of the charts whose value axis is logarithmic. */
  logCharts: string[];
  /** Weight-norm chart: 'total' or a tensor name ('layer0.qkvw'). */
  weightTensor: string;
  /** Events chart: which cast event it counts. */
  eventKind: CountedEvent;
  /** Expert-load heatmap: the lane shown, or null for the first. */
  expertLane: string | null;
}

export interface UiState extends UiSettings {
  /** Step under the pointer on any chart, or null. */
  hoveredStep: number | null;
  helpOpen: boolean;
  load(settings: Partial<UiSettings>): void;
  setSmoothing(smoothing: number): void;
  toggleLane(id: string): void;
  toggleLog(chartId: string): void;
  setWeightTensor(tensor: string): void;
  setEventKind(kind: CountedEvent): void;
  setExpertLane(id: string | null): void;
  setHoveredStep(step: number | null): void;
  setHelpOpen(open: boolean): void;
  reset(): void;
}

export type UiStore = StoreApi<UiState>;

export const UI_DEFAULTS: Readonly<UiSettings> = {
  smoothing: 0.6,
  hiddenLanes: [],
  logCharts: [],
  weightTensor: 'total',
  eventKind: 'underflow',
  expertLane: null,
};

const toggled = (list: readonly string[], item: string): string[] =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

export function createUiStore(initial: UiSettings = UI_DEFAULTS): UiStore {
  const start = () => ({ ...structuredClone(initial), hoveredStep: null, helpOpen: false });
  return createStore<UiState>()((set, get) => ({
    ...start(),
    load: (settings) => set(structuredClone(settings)),
    setSmoothing: (smoothing) => set({ smoothing }),
    toggleLane: (id) => set({ hiddenLanes: toggled(get().hiddenLanes, id) }),
    toggleLog: (chartId) => set({ logCharts: toggled(get().logCharts, chartId) }),
    setWeightTensor: (weightTensor) => set({ weightTensor }),
    setEventKind: (eventKind) => set({ eventKind }),
    setExpertLane: (expertLane) => set({ expertLane }),
    setHoveredStep: (hoveredStep) => {
      if (get().hoveredStep !== hoveredStep) set({ hoveredStep });
    },
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    reset: () => set(start()),
  }));
}

export function uiSettingsOf(s: UiSettings): UiSettings {
  const { smoothing, hiddenLanes, logCharts, weightTensor, eventKind, expertLane } = s;
  return { smoothing, hiddenLanes, logCharts, weightTensor, eventKind, expertLane };
}
