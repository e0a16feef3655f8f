/**
 * Counts the compute work recorded in this page: wraps GPUCommandEncoder.beginComputePass and
 * GPUComputePassEncoder.dispatchWorkgroups / dispatchWorkgroupsIndirect / end on their
 * prototypes, so every encoder (including one another helper creates, as the model self-test's
 * timing does) is counted. Recording only: nothing here submits or changes what is recorded.
 */

export interface DispatchTally {
  /** Compute passes begun. */
  passes: number;
  /** dispatchWorkgroups + dispatchWorkgroupsIndirect calls. */
  dispatches: number;
  /** Passes that ended with a number of dispatches other than one. */
  irregularPasses: number;
}

export interface DispatchCounter {
  /** Totals since install. */
  read(): DispatchTally;
  /** Puts the original methods back. */
  uninstall(): void;
}

const ZERO: DispatchTally = { passes: 0, dispatches: 0, irregularPasses: 0 };

export const tallyDelta = (after: DispatchTally, before: DispatchTally): DispatchTally => ({
  passes: after.passes - before.passes,
  dispatches: after.dispatches - before.dispatches,
  irregularPasses: after.irregularPasses - before.irregularPasses,
});

let active = false;

/** One counter at a time (a second install would count everything twice). */
export function installDispatchCounter(): DispatchCounter {
  if (active) throw new Error('installDispatchCounter: a dispatch counter is already installed in this page; uninstall it first.');
  active = true;
  const tally = { ...ZERO };
  const perPass = new WeakMap<GPUComputePassEncoder, number>();
  const enc = GPUCommandEncoder.prototype;
  const pass = GPUComputePassEncoder.prototype;
  const original = {
    begin: enc.beginComputePass,
    dispatch: pass.dispatchWorkgroups,
    indirect: pass.dispatchWorkgroupsIndirect,
    end: pass.end,
  };
  const counted = (p: GPUComputePassEncoder) => {
    tally.dispatches++;
    perPass.set(p, (perPass.get(p) ?? 0) + 1);
  };
  enc.beginComputePass = function (this: GPUCommandEncoder, d?: GPUComputePassDescriptor) {
    const p = original.begin.call(this, d);
    tally.passes++;
    perPass.set(p, 0);
    return p;
  };
  pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number) {
    counted(this);
    return original.dispatch.call(this, x, y, z);
  };
  pass.dispatchWorkgroupsIndirect = function (this: GPUComputePassEncoder, buffer: GPUBuffer, offset: number) {
    counted(this);
    return original.indirect.call(this, buffer, offset);
  };
  pass.end = function (this: GPUComputePassEncoder) {
    if (perPass.get(this) !== 1) tally.irregularPasses++;
    return original.end.call(this);
  };
  return {
    read: () => ({ ...tally }),
    uninstall() {
      enc.beginComputePass = original.begin;
      pass.dispatchWorkgroups = original.dispatch;
      pass.dispatchWorkgroupsIndirect = original.indirect;
      pass.end = original.end;
      active = false;
    },
  };
}

/** Runs `fn` with a counter installed; returns its result and the tally of what it recorded. */
export async function withDispatchCounter<T>(fn: (counter: DispatchCounter) => Promise<T> | T): Promise<{ result: T; tally: DispatchTally }> {
  const counter = installDispatchCounter();
  try {
    const result = await fn(counter);
    return { result, tally: counter.read() };
  } finally {
    counter.uninstall();
  }
}
