/**
 * Cast-event counters: one u32 per (tensor group, counted event), in a storage buffer bound as
 * `counters: array<atomic<u32>>`. Layout: counters[group * EVENT_KINDS + code - 1], codes as
 * below, in the order of numerics COUNTED_EVENTS.
 *
 * WGSL contract for a kernel that counts (the CastCounter):
 *   var tally = vec4<u32>(0u);                 // per invocation, one lane per counted event
 *   tally += event_onehot(<fmt>_event(x, b));  // at each cast site, in any control flow
 *   flush_events(group, tally);                // in UNIFORM control flow, reached by every
 *                                              // invocation (out-of-range ones with a zero tally):
 *                                              // no early return before it
 * With the 'subgroup' variant the tallies are summed by subgroupAdd and the subgroup's first
 * active invocation adds each non-zero sum with one atomicAdd; the 'atomic' fallback adds each
 * invocation's non-zero tallies directly; 'off' compiles the counting away.
 */
import { COUNTED_EVENTS, type CountedEvent } from '../../numerics';
import type { BufferPool } from '../tensor';
import { readBuffer } from '../tensor';

export type EventCounting = 'subgroup' | 'atomic' | 'off';

/** WGSL event codes: 0 none (exact or inexact), then COUNTED_EVENTS in order from 1. */
export const EVENT_CODE: Readonly<Record<'none' | CountedEvent, number>> = {
  none: 0,
  overflow: 1,
  underflow: 2,
  subnormal: 3,
  nonfinite: 4,
};
export const EVENT_KINDS = COUNTED_EVENTS.length;

/** Event-code constants and event_onehot; every kernel gets them. */
export function eventCodesWgsl(): string {
  const consts = (['none', ...COUNTED_EVENTS] as const)
    .map((e) => `const EVENT_${e.toUpperCase()} = ${EVENT_CODE[e]}u;`)
    .join('\n');
  return `${consts}
const EVENT_KINDS = ${EVENT_KINDS}u;

// (overflow, underflow, subnormal, nonfinite) counts of one event code: a one-hot vector or zero.
fn event_onehot(code: u32) -> vec4<u32> {
  return vec4<u32>(vec4<u32>(code) == vec4<u32>(1u, 2u, 3u, 4u));
}
`;
}

/** flush_events for one counting variant; the kernel must declare `counters` unless 'off'. */
export function flushEventsWgsl(counting: EventCounting): string {
  if (counting === 'off') {
    return `fn flush_events(_group: u32, _tally: vec4<u32>) {}\n`;
  }
  const adds = (v: string, indent: string) =>
    [0, 1, 2, 3]
      .map(
        (k) => `${indent}if (${v}[${k}] != 0u) { atomicAdd(&counters[base + ${k}u], ${v}[${k}]); }`,
      )
      .join('\n');
  if (counting === 'atomic') {
    return `// Fallback without subgroups: one atomicAdd per non-zero tally of this invocation.
fn flush_events(group: u32, tally: vec4<u32>) {
  let base = group * EVENT_KINDS;
${adds('tally', '  ')}
}
`;
  }
  return `// Call in uniform control flow: subgroupAdd needs every invocation of the subgroup.
fn flush_events(group: u32, tally: vec4<u32>) {
  let total = subgroupAdd(tally);
  if (subgroupElect()) {
    let base = group * EVENT_KINDS;
${adds('total', '    ')}
  }
}
`;
}

export type EventCounts = { group: string } & Record<CountedEvent, number>;

/** The counters buffer of a set of named tensor groups (e.g. one per lane and tensor kind). */
export class EventCounters {
  readonly buffer: GPUBuffer;
  private readonly index: Map<string, number>;

  constructor(
    pool: BufferPool,
    readonly groups: readonly string[],
    label = 'event counters',
  ) {
    this.index = new Map(groups.map((g, i) => [g, i]));
    if (this.index.size !== groups.length) {
      throw new Error(`Event counter groups must have distinct names; got ${groups.join(', ')}.`);
    }
    this.buffer = pool.acquire({
      label,
      byteLength: groups.length * EVENT_KINDS * 4,
      category: 'counters',
    });
  }

  /** The group index a kernel passes to flush_events. */
  group(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) {
      throw new Error(
        `No event counter group "${name}": the counters were created with ${this.groups.join(', ')}.`,
      );
    }
    return i;
  }

  /** Records zeroing of every counter (before the kernels that count, in the same encoder). */
  clear(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.buffer);
  }

  /** Explicit read-back of all groups' counts. */
  async read(device: GPUDevice): Promise<EventCounts[]> {
    const words = await readBuffer(device, this.buffer, this.groups.length * EVENT_KINDS * 4);
    return this.groups.map((group, g) => {
      const counts = { group } as EventCounts;
      COUNTED_EVENTS.forEach((e, k) => (counts[e] = words[g * EVENT_KINDS + k]));
      return counts;
    });
  }
}
