/**
 * A run's state copied to the CPU, so training can go on after the device that held it is gone
 * (DESIGN.md §1: on a device loss the lab resumes from the last snapshot, losing at most the
 * steps since). Plain data that crosses the worker boundary; either backend restores what either
 * took, because both keep the same state: the weights the optimizer updates (f32 masters, or a
 * pure recipe's stored weights, which f32 holds exactly), AdamW's moments, its step count and the
 * GradScaler's scale and growth tracker. Everything else a step needs (the batch, the learning
 * rate, the stochastic-rounding key, the low copy of autocast recipes) follows from the step
 * number and these.
 */
import type { TrainingState } from '../model/trainingState';
import type { Divergence } from './metrics';

export interface LaneSnapshot extends TrainingState {
  id: string;
  divergence: Divergence | null;
}

export interface RunSnapshot {
  /** Steps completed when it was taken. */
  step: number;
  /** In configuration order. */
  lanes: LaneSnapshot[];
}

/** Why the snapshot cannot be restored into lanes of these ids and parameter counts, or null. */
export function snapshotMismatch(snapshot: RunSnapshot, lanes: readonly { id: string; parameters: number }[]): string | null {
  if (!(Number.isInteger(snapshot.step) && snapshot.step >= 0)) {
    return `The snapshot's step is ${snapshot.step}; it must be a whole number, 0 or more.`;
  }
  const ids = lanes.map((l) => l.id).join(', ');
  const saved = snapshot.lanes.map((l) => l.id).join(', ');
  if (ids !== saved) return `The snapshot holds lanes ${saved || 'none'} but the run has ${ids || 'none'}; a snapshot restores only into the run it was taken from.`;
  for (const [i, lane] of lanes.entries()) {
    const s = snapshot.lanes[i];
    for (const name of ['weights', 'expAvg', 'expAvgSq'] as const) {
      if (s[name].length !== lane.parameters) {
        return `The snapshot of lane "${lane.id}" holds ${s[name].length} ${name} values but the lane has ${lane.parameters} parameters; a snapshot restores only into a model of the same shape.`;
      }
    }
    if (s.divergence && s.divergence.step > snapshot.step) {
      return `The snapshot of lane "${lane.id}" says it diverged at step ${s.divergence.step}, after the snapshot's step ${snapshot.step}.`;
    }
  }
  return null;
}
