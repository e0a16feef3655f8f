import { describe, expect, it } from 'vitest';
import { explainFindings } from './explain';

const rounding = (mulNearest: number, addNearest: number) => ({
  samples: 100,
  mulNearest,
  addNearest,
  mulTruncated: 100 - mulNearest,
  addTruncated: 100 - addNearest,
  mulRoundsToNearest: mulNearest === 100,
  addRoundsToNearest: addNearest === 100,
});
const subgroup = { reportedMin: 8, reportedMax: 32, measured: [16], feature: true };

describe('explainFindings', () => {
  it('says a flushing device flushes and what it means for the lanes', () => {
    const [sub] = explainFindings({
      subnormals: { flushesResults: true, flushesInputs: true },
      rounding: null,
      subgroup: null,
    });
    expect(sub.headline).toBe('This device flushes f32 subnormals to zero.');
    // 2^-126 from numerics, written as the person reads it.
    expect(sub.meaning).toContain(`below ${(2 ** -126).toExponential(2)}`);
    expect(sub.meaning).toMatch(/FP16\/BF16 conversions are integer-exact/);
    expect(sub.meaning).toMatch(/fewer subnormal events/);
  });

  it('says a device that keeps subnormals keeps them', () => {
    const [sub] = explainFindings({
      subnormals: { flushesResults: false, flushesInputs: false },
      rounding: null,
      subgroup: null,
    });
    expect(sub.headline).toMatch(/keeps f32 subnormals/);
    expect(sub.meaning).toContain((2 ** -149).toExponential(2));
  });

  it('distinguishes round-to-nearest from truncation and names the operation', () => {
    const near = explainFindings({
      subnormals: null,
      rounding: rounding(100, 100),
      subgroup: null,
    });
    expect(near[0].headline).toMatch(/round to nearest even/);
    const trunc = explainFindings({
      subnormals: null,
      rounding: rounding(60, 100),
      subgroup: null,
    });
    expect(trunc[0].headline).toMatch(/does not always round to nearest/);
    expect(trunc[0].meaning).toContain('multiply rounds to nearest in 60 of 100');
    expect(trunc[0].meaning).not.toContain('add rounds');
  });

  it('reports the measured subgroup size beside the adapter range, or its absence', () => {
    const [g] = explainFindings({ subnormals: null, rounding: null, subgroup });
    expect(g.headline).toBe('Subgroup size 16 (the adapter reports 8–32).');
    const [none] = explainFindings({
      subnormals: null,
      rounding: null,
      subgroup: { ...subgroup, feature: false, measured: [] },
    });
    expect(none.headline).toMatch(/No subgroups/);
  });
});
