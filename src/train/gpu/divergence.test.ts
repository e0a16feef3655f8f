// The GPU's stand-in for "the first store that went non-finite": the execution order it scans,
// and the sentence it writes, against the CPU lane's own divergence of the same run.
import { describe, expect, it } from 'vitest';
import { CpuLane } from '../cpu/cpuLane';
import { makeLane } from '../lane';
import { TENSOR_GROUPS } from '../metrics';
import { testDataset, tinyRun } from '../testRun.testutil';
import { divergenceOf, executionOrder, firstNonFinite } from './divergence';
import { timestampMs } from './timing';

describe('divergence on the GPU', () => {
  it('scans every (group, site) pair; autocast casts first, pure weights last', () => {
    for (const pure of [false, true]) {
      const order = executionOrder(2, pure);
      const pairs = new Set(order.map(([g, s]) => `${g}.${s}`));
      expect(pairs.size).toBe(TENSOR_GROUPS.length * 4);
      expect(order[0]).toEqual(pure ? ['activations', 0] : ['weights', 0]);
      expect(order.at(-1)).toEqual(pure ? ['weights', 3] : ['router', 0]);
    }
  });

  it('names the CPU lane\'s first non-finite group and words the divergence as the CPU does', () => {
    const lane = makeLane('fp32', { id: 'hot', lr: 1e30 });
    const run = tinyRun([lane]);
    const data = testDataset();
    const cpu = new CpuLane(run.model, lane);
    for (let step = 1; step <= 4 && !cpu.divergence; step++) {
      const batch = data.batchAt('train', { batch: run.model.batch, context: run.model.context, seed: run.dataSeed, step: step - 1 });
      const frame = cpu.train(step, batch, false);
      if (!frame.diverged) continue;
      const first = firstNonFinite(frame.events, run.model.layers, false);
      const d = frame.diverged;
      expect(first && { group: first.group, event: first.event }).toEqual({ group: d.group, event: d.event });
      expect(divergenceOf('hot', step, d.reason, frame.loss, first, run.model.layers, null)).toEqual(d);
    }
    expect(cpu.divergence).not.toBeNull();
  });

  it('reads timestamps as u64 nanoseconds and refuses unwritten or reversed ones', () => {
    expect(timestampMs(Uint32Array.of(1_000_000, 1, 3_000_000, 1))).toBe(2);
    expect(timestampMs(Uint32Array.of(0xffffffff, 0, 999_999, 1))).toBeCloseTo(1, 9);
    expect(timestampMs(Uint32Array.of(0, 0, 0, 0))).toBeNull();
    expect(timestampMs(Uint32Array.of(5, 0, 4, 0))).toBeNull();
  });
});
