// The charts' render math against independent references: brute-force bucket extremes, the
// closed form of the debiased EMA, IEEE-754 constants for FP16/BF16 zones, hand sums.
import { describe, expect, it } from 'vitest';
import { uniform01 } from '../../numerics';
import { modelConfig } from '../../model/config';
import { RECIPES } from '../../train/recipes';
import { arraySource, downsampleMinMax } from './downsample';
import { groupSizes, parameterCount } from './groupSizes';
import { loadHeatmap } from './heatmap';
import { histogramOutline, histogramShares, zonesWithin } from './histogramZones';
import { paddedDomain, ticksFor, formatValue, pow2Label } from './scales';
import { emaSmooth } from './smooth';
import { timeSeriesModel, DEFAULT_MARGIN } from './timeSeries';

const rng = (seed: number) => {
  let i = 0;
  return () => uniform01(seed, i++);
};

function walk(seed: number, n: number, gaps = 0): { xs: number[]; ys: number[] } {
  const r = rng(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  let y = 0;
  for (let i = 0; i < n; i++) {
    y += r() - 0.5;
    xs.push(i + 1);
    ys.push(r() < gaps ? NaN : r() < 0.001 ? y + 50 : y); // rare spikes
  }
  return { xs, ys };
}

describe('min/max down-sampling', () => {
  it('keeps short series whole', () => {
    const { xs, ys } = walk(1, 500);
    expect(downsampleMinMax(arraySource(xs, ys), 2000)).toEqual({ xs, ys });
  });

  it('keeps at most maxPoints, in step order, with every bucket’s true extremes (brute force)', () => {
    const { xs, ys } = walk(2, 100_000);
    const out = downsampleMinMax(arraySource(xs, ys), 2000);
    expect(out.xs.length).toBeLessThanOrEqual(2000);
    for (let i = 1; i < out.xs.length; i++) expect(out.xs[i]).toBeGreaterThan(out.xs[i - 1]);
    // Global extremes survive (the spikes).
    const finite = ys.filter(Number.isFinite);
    expect(Math.max(...out.ys)).toBe(Math.max(...finite));
    expect(Math.min(...out.ys)).toBe(Math.min(...finite));
    // Per bucket: the drawn values within a bucket's step span include its min and max.
    const buckets = Math.floor(2000 / 3);
    for (const b of [0, 1, 137, buckets - 1]) {
      const start = Math.floor((b * xs.length) / buckets);
      const end = Math.floor(((b + 1) * xs.length) / buckets);
      const slice = ys.slice(start, end);
      const drawn = out.ys.filter((_, i) => out.xs[i] >= xs[start] && out.xs[i] <= xs[end - 1]);
      expect(drawn).toContain(Math.max(...slice));
      expect(drawn).toContain(Math.min(...slice));
    }
  });

  it('a bucket with a gap keeps a NaN so the line breaks', () => {
    const { xs, ys } = walk(3, 30_000, 0.0005);
    const out = downsampleMinMax(arraySource(xs, ys), 900);
    const gapSteps = xs.filter((_, i) => Number.isNaN(ys[i]));
    expect(gapSteps.length).toBeGreaterThan(0);
    expect(out.ys.filter(Number.isNaN).length).toBeGreaterThan(0);
    expect(out.xs.length).toBeLessThanOrEqual(900);
  });
});

describe('EMA smoothing', () => {
  it('equals the closed-form debiased weighted average', () => {
    const r = rng(4);
    const v = Array.from({ length: 200 }, () => r() * 10);
    const w = 0.9;
    const s = emaSmooth(v, w);
    for (const k of [1, 2, 10, 199]) {
      let num = 0;
      for (let j = 0; j <= k; j++) num += w ** (k - j) * (1 - w) * v[j];
      expect(s[k]).toBeCloseTo(num / (1 - w ** (k + 1)), 10);
    }
    expect(s[0]).toBeCloseTo(v[0], 12);
  });

  it('weight 0 is the data; non-finite values carry the last smoothed value', () => {
    expect(Array.from(emaSmooth([1, 2, 3], 0))).toEqual([1, 2, 3]);
    const s = emaSmooth([NaN, 2, Infinity, 2], 0.5);
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(2);
    expect(s[2]).toBe(2);
    expect(s[3]).toBe(2);
  });
});

describe('scales', () => {
  it('log2 ticks are exact powers of two inside the domain, labelled 2^k', () => {
    const ticks = ticksFor('log2', paddedDomain([3, 70000], 'log2'), 20);
    expect(ticks[0].value).toBe(2);
    expect(ticks[ticks.length - 1].value).toBe(2 ** 17);
    for (const t of ticks) {
      expect(Number.isInteger(Math.log2(t.value))).toBe(true);
      expect(t.label).toBe(pow2Label(Math.log2(t.value)));
    }
    expect(pow2Label(-24)).toBe('2⁻²⁴');
    // With fewer ticks than powers they are whole multiples of the stride.
    const sparse = ticksFor('log2', [0.5, 2 ** 19], 5).map((t) => Math.log2(t.value));
    expect(sparse).toEqual([0, 4, 8, 12, 16]);
  });

  it('symlog starts at 0 and ticks powers of ten; log domains are whole decades', () => {
    const d = paddedDomain([0, 4321], 'symlog');
    expect(d).toEqual([0, 10000]);
    expect(ticksFor('symlog', d, 10).map((t) => t.value)).toEqual([0, 1, 10, 100, 1000, 10000]);
    expect(paddedDomain([0.03, 7], 'log')).toEqual([0.01, 10]);
  });

  it('readout values keep 4 significant digits (whole numbers from 1000) and name inf and missing values', () => {
    expect(formatValue(2.718281828)).toBe('2.718');
    expect(formatValue(65536)).toBe('65536');
    expect(formatValue(1187.7)).toBe('1188');
    expect(formatValue(1e-8)).toBe('1e-8');
    expect(formatValue(Infinity)).toBe('inf');
    expect(formatValue(NaN)).toBe('—');
  });
});

describe('gradient histogram zones', () => {
  it('FP16 within [-64, 16]: flush below 2^-25, subnormal to 2^-14, normal to 65520, then overflow', () => {
    const z = zonesWithin('fp16', -64, 16);
    expect(z.zones.map((s) => s.kind)).toEqual(['flush', 'subnormal', 'normal', 'overflow']);
    // IEEE 754 binary16: smallest subnormal 2^-24 (half of it rounds to 0), smallest normal 2^-14,
    // overflow at 65504 + 16 = 65520 under round-to-nearest-even.
    expect(z.zones[0]).toEqual({ kind: 'flush', from: -64, to: -25 });
    expect(z.zones[1]).toEqual({ kind: 'subnormal', from: -25, to: -14 });
    expect(z.zones[2].to).toBeCloseTo(Math.log2(65520), 12);
    expect(z.zones[3].to).toBe(16);
  });

  it('BF16 and FP32 are normal over the whole span', () => {
    for (const f of ['bf16', 'fp32'] as const) expect(zonesWithin(f, -64, 16).zones).toEqual([{ kind: 'normal', from: -64, to: 16 }]);
  });

  it('shares count every value (zeros, out of span, inf/NaN) and sum to 1', () => {
    const counts = new Array(80).fill(0);
    counts[40] = 6;
    counts[41] = 2;
    const s = histogramShares({ minExponent: -64, counts, below: 1, above: 0, zeros: 1, nonfinite: 0 });
    expect(s.total).toBe(10);
    expect(s.bars[40]).toEqual({ exponent: -24, share: 0.6 });
    expect(s.zeros).toBe(0.1);
    const sum = s.bars.reduce((a, b) => a + b.share, 0) + s.zeros + s.below + s.above + s.nonfinite;
    expect(sum).toBeCloseTo(1, 12);
    expect(histogramOutline(s.bars.slice(40, 41))).toEqual([[-24, 0.6], [-23, 0.6]]);
  });
});

describe('expert-load heatmap', () => {
  it('each column is the bucket’s summed load over its total (brute force)', () => {
    const r = rng(5);
    const E = 4;
    const loads = Array.from({ length: 1000 }, () => Array.from({ length: E }, () => Math.floor(r() * 50)));
    const cols = loadHeatmap({ n: 1000, step: (i) => i + 1, load: (i, e) => loads[i][e] }, E, 300);
    expect(cols).toHaveLength(300);
    const c = cols[7];
    const rows = loads.slice(c.fromStep - 1, c.toStep);
    const sums = [0, 1, 2, 3].map((e) => rows.reduce((a, row) => a + row[e], 0));
    const total = sums.reduce((a, b) => a + b, 0);
    c.shares.forEach((s, e) => expect(s).toBeCloseTo(sums[e] / total, 12));
    expect(cols[0].fromStep).toBe(1);
    expect(cols[299].toStep).toBe(1000);
  });
});

describe('group sizes and time-series model', () => {
  it('weights: matmul tensors for master recipes, every parameter for pure ones; P by hand', () => {
    const m = modelConfig('tiny', 10);
    const { d: C, layers: L, experts: E, context: T } = m;
    const F = 4 * C;
    const V = 10;
    const P = V * C + T * C + L * (2 * C + 3 * C * C + 3 * C + C * C + C + 2 * C + E * C + E * F * C + E * F + E * C * F + E * C) + 2 * C + V * C;
    expect(parameterCount(m)).toBe(P);
    const pure = groupSizes(m, RECIPES['bf16-pure'], false);
    expect(pure.values.weights).toBe(P);
    expect(pure.values.weight_grads).toBe(P);
    const amp = groupSizes(m, RECIPES['fp16-amp'], false);
    const matmul = L * (3 * C * C + 3 * C + C * C + C + E * F * C + E * F + E * C * F + E * C) + V * C;
    expect(amp.values.weights).toBe(matmul);
  });

  it('draws every lane with at most 2000 points and a y domain covering all the data', () => {
    const a = walk(6, 50_000);
    const b = walk(7, 50_000);
    const model = timeSeriesModel(
      [
        { key: 'a', colour: '#000', source: arraySource(a.xs, a.ys) },
        { key: 'b', colour: '#111', source: arraySource(b.xs, b.ys) },
      ],
      { width: 500, height: 200, margin: DEFAULT_MARGIN },
      { kind: 'linear', maxStep: 50_000 },
    );
    expect(model.lines.every((l) => l.points <= 2000)).toBe(true);
    const [lo, hi] = model.y.domain();
    const all = [...a.ys, ...b.ys];
    expect(lo).toBeLessThanOrEqual(Math.min(...all));
    expect(hi).toBeGreaterThanOrEqual(Math.max(...all));
    expect(model.x(50_000)).toBeCloseTo(500 - DEFAULT_MARGIN.right, 9);
    expect(model.xInvert(model.x(1234))).toBeCloseTo(1234, 9);
  });
});

describe('drawn paths', () => {
  it('every vertex of a short line sits where the linear maps put its (step, value), by hand', () => {
    const r = rng(8);
    const xs = Array.from({ length: 50 }, (_, i) => i + 1);
    const ys = xs.map(() => 1 + r() * 3);
    const dims = { width: 400, height: 150, margin: DEFAULT_MARGIN };
    const model = timeSeriesModel([{ key: 'a', colour: '#000', source: arraySource(xs, ys) }], dims, { kind: 'linear', maxStep: 50 });
    const [y0, y1] = model.y.domain();
    const left = DEFAULT_MARGIN.left;
    const right = 400 - DEFAULT_MARGIN.right;
    const top = DEFAULT_MARGIN.top;
    const bottom = 150 - DEFAULT_MARGIN.bottom;
    const vertices = model.lines[0].d
      .slice(1)
      .split('L')
      .map((p) => p.split(',').map(Number));
    expect(vertices).toHaveLength(50);
    // d3's path writes coordinates to 3 decimals: within 0.0005 px.
    vertices.forEach(([px, py], i) => {
      expect(Math.abs(px - (left + ((xs[i] - 0) / (50 - 0)) * (right - left)))).toBeLessThanOrEqual(5e-4);
      expect(Math.abs(py - (bottom - ((ys[i] - y0) / (y1 - y0)) * (bottom - top)))).toBeLessThanOrEqual(5e-4);
    });
    // Same data, same drawing.
    const again = timeSeriesModel([{ key: 'a', colour: '#000', source: arraySource(xs, ys) }], dims, { kind: 'linear', maxStep: 50 });
    expect(again.lines[0].d).toBe(model.lines[0].d);
  });

  it('a gap breaks the path into two moves; log axes leave out values <= 0', () => {
    const xs = [1, 2, 3, 4, 5];
    const model = timeSeriesModel(
      [{ key: 'a', colour: '#000', source: arraySource(xs, [1, 2, NaN, 4, 5]) }],
      { width: 300, height: 120, margin: DEFAULT_MARGIN },
      { kind: 'linear', maxStep: 5 },
    );
    expect(model.lines[0].d.match(/M/g)).toHaveLength(2);
    const log = timeSeriesModel(
      [{ key: 'a', colour: '#000', source: arraySource(xs, [1, 0, 10, 100, 1000]) }],
      { width: 300, height: 120, margin: DEFAULT_MARGIN },
      { kind: 'log', maxStep: 5 },
    );
    expect(log.lines[0].d.match(/M/g)).toHaveLength(2);
    expect(log.y.domain()).toEqual([0.1, 10000]);
  });
});
