/**
 * What forward, backward and optimizer recording share: the model's config, policy, compiled
 * kernels, buffers and counters (assembled by model.ts).
 */
import type { EventCounters } from '../../gpu';
import type { OptimizerState } from '../../gpu/kernels/optim';
import type { ResolvedMoeConfig, TensorGroup } from '../reference';
import type { GpuActivations, GpuGradientScratch } from './activations';
import type { CompiledModel } from './compile';
import type { CounterGroups } from './counters';
import type { ParameterBuffers } from './parameters';
import type { ModelPolicy } from './policy';

export interface ModelParts {
  readonly config: ResolvedMoeConfig;
  readonly policy: ModelPolicy;
  readonly k: CompiledModel;
  readonly p: ParameterBuffers;
  readonly a: GpuActivations;
  readonly s: GpuGradientScratch;
  readonly groups: CounterGroups;
  /** Counters the step's kernels add to. */
  readonly counters: EventCounters;
  /** Events of the optimizer's cast into the low copy (copied into `counters` by a forward). */
  readonly castCounters: EventCounters;
  readonly state: OptimizerState;
}

/** { counters, group } for a tensor group at a site. */
export function countingOf(
  counters: EventCounters,
  groups: CounterGroups,
  group: TensorGroup,
  site: number,
): { counters: EventCounters; group: number } {
  return { counters, group: groups.index(group, site) };
}
