/**
 * Cast events counted at every store of the CPU reference: a StoreHook that wraps each tensor
 * group's policy so that `store(x)` also classifies what the rounding did to x (DESIGN.md §2):
 *   nonfinite  x is inf/NaN
 *   overflow   x finite, result inf (or NaN for a format without inf)
 *   underflow  x != 0, result 0
 *   subnormal  result nonzero and below the format's smallest normal
 * This is numerics' classify, decided from x and the already rounded result (classify.test.ts
 * is the reference; eventCounter.test.ts checks the two agree). It also remembers the first
 * (group, site) that produced or received an inf/NaN, for the divergence report.
 */
import { COUNTED_EVENTS, range, type CountedEvent } from '../../numerics';
import type { Precision } from '../../model/reference/precision';
import { TENSOR_GROUPS, type StoreHook, type TensorGroup } from '../../model/reference/storeGroups';
import { emptyEventTable, type EventTable } from '../metrics';

const OVERFLOW = 0;
const UNDERFLOW = 1;
const SUBNORMAL = 2;
const NONFINITE = 3;
// The counts array is [event][group][site], events in COUNTED_EVENTS order.
const EVENT_INDEX: Readonly<Record<CountedEvent, number>> = { overflow: OVERFLOW, underflow: UNDERFLOW, subnormal: SUBNORMAL, nonfinite: NONFINITE };

export interface FirstNonFinite {
  group: TensorGroup;
  site: number;
  event: 'overflow' | 'nonfinite';
}

/** The event of storing x as y, given the format's smallest normal; null for none. */
export function storeEvent(x: number, y: number, minNormal: number): CountedEvent | null {
  if (y === 0) return x !== 0 && x === x ? 'underflow' : null;
  if (y - y !== 0) return x - x === 0 ? 'overflow' : 'nonfinite'; // y inf/NaN; x finite or not
  if (y < minNormal && y > -minNormal) return 'subnormal';
  return null;
}

export class EventCounter {
  /** Counting happens only while active (the training step, not evaluation or sampling). */
  active = false;
  first: FirstNonFinite | null = null;
  readonly sites: number;
  readonly #counts: Float64Array;

  constructor(sites: number) {
    this.sites = sites;
    this.#counts = new Float64Array(COUNTED_EVENTS.length * TENSOR_GROUPS.length * sites);
  }

  reset(): void {
    this.#counts.fill(0);
    this.first = null;
  }

  #offset(group: TensorGroup, site: number): number {
    return TENSOR_GROUPS.indexOf(group) * this.sites + site;
  }

  /** Tallies one store of x as y into (group, site). */
  tally(x: number, y: number, minNormal: number, group: TensorGroup, site: number): void {
    const event = storeEvent(x, y, minNormal);
    if (event === null) return;
    this.#bump(EVENT_INDEX[event], this.#offset(group, site), group, site);
  }

  #bump(event: number, offset: number, group: TensorGroup, site: number): void {
    const stride = TENSOR_GROUPS.length * this.sites;
    this.#counts[event * stride + offset]++;
    if ((event === OVERFLOW || event === NONFINITE) && this.first === null) {
      this.first = { group, site, event: event === OVERFLOW ? 'overflow' : 'nonfinite' };
    }
  }

  /** The hook to give the model: the policy with a counting store. */
  readonly hook: StoreHook = (policy: Precision, group: TensorGroup, site: number): Precision => {
    if (policy.storage === null) return policy;
    const base = policy.store;
    const minNormal = range(policy.storage).minNormal;
    const offset = this.#offset(group, site);
    const store = (x: number): number => {
      const y = base(x);
      if (!this.active) return y;
      // The common case first: a normal, finite result of a nonzero x (or zero from zero).
      if (y === 0 ? x === 0 || x !== x : y - y === 0 && (y >= minNormal || y <= -minNormal)) return y;
      const event = storeEvent(x, y, minNormal);
      if (event !== null) this.#bump(EVENT_INDEX[event], offset, group, site);
      return y;
    };
    return { ...policy, store };
  };

  table(): EventTable {
    const table = emptyEventTable(this.sites);
    const stride = TENSOR_GROUPS.length * this.sites;
    COUNTED_EVENTS.forEach((event, e) => {
      TENSOR_GROUPS.forEach((group, g) => {
        for (let s = 0; s < this.sites; s++) table[event][group][s] = this.#counts[e * stride + g * this.sites + s];
      });
    });
    return table;
  }
}
