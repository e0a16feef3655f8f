/**
 * Where a GPU lane's numbers first stopped being finite. The CPU reference remembers the first
 * store that overflowed or received an inf/NaN; the GPU counts events per (tensor group, site)
 * with atomics, in no order, so here "first" is the first (group, site) in the step's execution
 * order whose overflow or nonfinite count is not zero:
 *   [autocast] the weights' cast, sites ascending (it starts the forward)
 *   forward    per site ascending: activations, then the router (a layer's attention comes
 *              before its router; its experts' activations after, counted together)
 *   backward   per site descending: activation gradients, weight gradients, router
 *   [pure]     the optimizer's stores of the weights, sites ascending
 * At that (group, site) an overflow (a finite value rounded to inf) is reported before an
 * inf/NaN coming in, since the overflow is what made the others.
 */
import { siteNames } from '../../model/reference/storeGroups';
import type { Divergence, EventTable, TensorGroup } from '../metrics';

export interface FirstNonFinite {
  group: TensorGroup;
  site: number;
  event: 'overflow' | 'nonfinite';
}

/** (group, site) pairs in the order above, for L layers. */
export function executionOrder(L: number, pure: boolean): [TensorGroup, number][] {
  const sites = L + 2;
  const order: [TensorGroup, number][] = [];
  const weights = Array.from({ length: sites }, (_, s): [TensorGroup, number] => ['weights', s]);
  if (!pure) order.push(...weights);
  for (let s = 0; s < sites; s++) order.push(['activations', s], ['router', s]);
  for (let s = sites - 1; s >= 0; s--) order.push(['activation_grads', s], ['weight_grads', s], ['router', s]);
  if (pure) order.push(...weights);
  return order;
}

export function firstNonFinite(events: EventTable, L: number, pure: boolean): FirstNonFinite | null {
  for (const [group, site] of executionOrder(L, pure)) {
    if (events.overflow[group][site] > 0) return { group, site, event: 'overflow' };
    if (events.nonfinite[group][site] > 0) return { group, site, event: 'nonfinite' };
  }
  return null;
}

/**
 * The lane's divergence, worded as the CPU backend words it (train/cpu/cpuLane.ts). Without a
 * first event, a 'weights' divergence names the first tensor whose weights hold an inf/NaN
 * (`badWeightsSite`, a site index, or null).
 */
export function divergenceOf(
  laneId: string,
  step: number,
  reason: 'loss' | 'weights',
  loss: number,
  first: FirstNonFinite | null,
  L: number,
  badWeightsSite: number | null,
): Divergence {
  const sites = siteNames(L);
  let group: Divergence['group'] = first?.group ?? null;
  let site: string | null = first ? sites[first.site] : null;
  const event = first?.event ?? null;
  if (!first && reason === 'weights') {
    group = 'weights';
    site = badWeightsSite === null ? null : sites[badWeightsSite];
  }
  const what = reason === 'loss' ? `its loss is ${loss}` : 'the optimizer wrote inf/NaN into its weights';
  const where = group
    ? `the first non-finite values appeared in ${group}${site ? ` (${site})` : ''}${event ? `, by ${event === 'overflow' ? 'overflow of a finite value' : 'an inf/NaN coming in'}` : ''}`
    : 'no stored tensor held an inf/NaN before the loss did';
  return {
    step,
    reason,
    group,
    site,
    event,
    message: `Lane "${laneId}" diverged at step ${step}: ${what}; ${where}. It stopped; the other lanes go on. Try a lower learning rate, gradient clipping, or a recipe with loss scaling.`,
  };
}
