// Cases worked by hand from torch/amp/grad_scaler.py and the _amp_update_scale_ kernel
// (aten/src/ATen/native/cuda/AmpKernels.cu):
//   found_inf: scale = float(scale * backoff), tracker = 0
//   else: successful = tracker + 1; if successful == interval:
//           new = float(scale * growth); if isfinite(new): scale = new; tracker = 0
//         else tracker = successful
import { describe, expect, it } from 'vitest';
import { GradScaler, gradScalerOptionsError } from './gradScaler';

const F32_MAX = 3.4028234663852886e38;

describe('GradScaler defaults', () => {
  it('are PyTorch defaults: 65536, 2, 0.5, 2000', () => {
    const scaler = new GradScaler();
    expect(scaler.stateDict()).toEqual({
      scale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, growthTracker: 0,
    });
    expect(scaler.invScale()).toBe(2 ** -16);
  });

  it('grows exactly after 2000 clean steps', () => {
    const scaler = new GradScaler();
    for (let i = 0; i < 1999; i++) scaler.update(false);
    expect([scaler.scale, scaler.growthTracker]).toEqual([65536, 1999]);
    scaler.update(false);
    expect([scaler.scale, scaler.growthTracker]).toEqual([131072, 0]);
  });
});

type Step = boolean; // foundInf
interface Case {
  why: string;
  options: ConstructorParameters<typeof GradScaler>[0];
  steps: Step[];
  scale: number;
  tracker: number;
}

const CASES: Case[] = [
  { why: 'backoff on inf', options: {}, steps: [true], scale: 32768, tracker: 0 },
  { why: 'two clean steps of 3 do not grow', options: { growthInterval: 3 }, steps: [false, false], scale: 65536, tracker: 2 },
  { why: 'growth exactly at the third clean step', options: { growthInterval: 3 }, steps: [false, false, false], scale: 131072, tracker: 0 },
  { why: 'inf resets the tracker', options: { growthInterval: 3 }, steps: [false, false, true, false, false], scale: 32768, tracker: 2 },
  { why: 'interval 1 grows every clean step', options: { growthInterval: 1, initScale: 1 }, steps: [false, false, false], scale: 8, tracker: 0 },
  // 65536 * 0.3 = 19660.8; f32 has 2^-9 steps in [16384, 32768): 10066329.6 steps -> 10066330 * 2^-9.
  { why: 'backoff result rounded to f32', options: { backoffFactor: 0.3 }, steps: [true], scale: 19660.80078125, tracker: 0 },
  // init_scale 0.1 is stored as f32(0.1) = 13421773 * 2^-27; growth 3 -> 40265319 * 2^-27 -> f32 (24 bits) 40265320 * 2^-27.
  { why: 'init scale and growth rounded to f32', options: { initScale: 0.1, growthFactor: 3, growthInterval: 1 }, steps: [false], scale: 40265320 * 2 ** -27, tracker: 0 },
  { why: 'growth past f32 max is refused, tracker still resets', options: { initScale: 2 ** 127, growthInterval: 1 }, steps: [false], scale: 2 ** 127, tracker: 0 },
  // max * (1 + 2^-30) is max + 2^98, under half an ulp (2^103): f32 rounds it back to max, finite.
  { why: 'growth that rounds back to f32 max is kept', options: { initScale: F32_MAX, growthFactor: 1 + 2 ** -30, growthInterval: 1 }, steps: [false], scale: F32_MAX, tracker: 0 },
  { why: 'growth 1.1 from 3e38 stays finite once, then refused', options: { initScale: 3e38, growthFactor: 1.1, growthInterval: 1 }, steps: [false, false], scale: Math.fround(Math.fround(3e38) * 1.1), tracker: 0 },
  { why: 'no lower clamp: backoff into f32 subnormals', options: { initScale: 2 ** -140 }, steps: [true, true, true], scale: 2 ** -143, tracker: 0 },
  // 2^-149 * 0.5 = 2^-150 is half the smallest f32 subnormal: ties to even gives 0.
  { why: 'no lower clamp: backoff to 0', options: { initScale: 2 ** -148 }, steps: [true, true], scale: 0, tracker: 0 },
  // 3 * 2^-149 * 0.5 = 1.5 * 2^-149: tie between 1 and 2 quanta -> 2 (even).
  { why: 'subnormal backoff ties to even', options: { initScale: 3 * 2 ** -149 }, steps: [true], scale: 2 * 2 ** -149, tracker: 0 },
];

describe.each(CASES)('GradScaler: $why', ({ options, steps, scale, tracker }) => {
  it(`ends at scale ${scale}, tracker ${tracker}`, () => {
    const scaler = new GradScaler(options);
    for (const foundInf of steps) scaler.update(foundInf);
    expect(scaler.scale).toBe(scale);
    expect(scaler.growthTracker).toBe(tracker);
  });
});

describe('GradScaler.invScale', () => {
  it('is 1/scale in double, then f32', () => {
    // f32(1/3) = 11184811 * 2^-25 (1/3 = 0.0101.. binary, rounded up at the 24th bit).
    expect(new GradScaler({ initScale: 3 }).invScale()).toBe(11184811 * 2 ** -25);
    expect(new GradScaler({ initScale: 65536 }).invScale()).toBe(2 ** -16);
    expect(new GradScaler({ initScale: 2 ** -120 }).invScale()).toBe(2 ** 120);
    // A scale backed off below 2^-128 has a reciprocal beyond f32: inv_scale is inf, as in PyTorch.
    expect(new GradScaler({ initScale: 2 ** -148 }).invScale()).toBe(Infinity);
  });
});

describe('GradScaler.unscale', () => {
  it('multiplies by invScale in f32', () => {
    const scaler = new GradScaler({ initScale: 3 });
    const g = new Float32Array([3, -6, 0]);
    expect(scaler.unscale([g])).toEqual({ foundInf: false });
    // 3 * 11184811 * 2^-25 = 33554433 * 2^-25 = 1 + 2^-25, which rounds to 1 in f32.
    expect([...g]).toEqual([1, -2, 0]);
  });

  it('finds inf and NaN in any tensor, and still unscales the rest', () => {
    const scaler = new GradScaler();
    const a = new Float32Array([65536, 131072]);
    const b = new Float32Array([1, Infinity]);
    expect(scaler.unscale([a, b]).foundInf).toBe(true);
    expect([...a]).toEqual([1, 2]);
    expect(b[1]).toBe(Infinity);
    expect(new GradScaler().unscale([new Float32Array([NaN])]).foundInf).toBe(true);
  });

  it('checks the scaled values: a finite scaled grad that overflows when unscaled is not reported', () => {
    const scaler = new GradScaler({ initScale: 0.5 }); // invScale 2
    const g = new Float32Array([3e38]);
    expect(scaler.unscale([g]).foundInf).toBe(false);
    expect(g[0]).toBe(Infinity);
  });

  it('leaves values untouched when invScale is 1 but still reports non-finite ones', () => {
    const scaler = new GradScaler({ initScale: 1 });
    const g = new Float32Array([NaN, 0.1]);
    expect(scaler.unscale([g]).foundInf).toBe(true);
    expect(g[1]).toBe(Math.fround(0.1));
  });
});

describe('GradScaler disabled', () => {
  it('has scale 1 and does nothing', () => {
    const scaler = new GradScaler({ enabled: false, growthFactor: 0.5 });
    expect(scaler.scale).toBe(1);
    scaler.update(true);
    scaler.update(false);
    expect([scaler.scale, scaler.growthTracker]).toEqual([1, 0]);
    const g = new Float32Array([Infinity, 2]);
    expect(scaler.unscale([g]).foundInf).toBe(false);
    expect([...g]).toEqual([Infinity, 2]);
    expect(scaler.scaleLoss(3)).toBe(3);
  });
});

describe('GradScaler options', () => {
  it.each([
    [{ growthFactor: 1 }, /growthFactor/],
    [{ backoffFactor: 1 }, /backoffFactor/],
    [{ growthInterval: 0 }, /growthInterval/],
    [{ growthInterval: 2.5 }, /growthInterval/],
    [{ initScale: 1e39 }, /initScale/],
    [{ initScale: 0 }, /initScale/],
  ])('%o is refused with a sentence', (options, pattern) => {
    expect(gradScalerOptionsError(options)).toMatch(pattern);
    expect(() => new GradScaler(options)).toThrow(pattern);
  });

  it('accepts the defaults', () => {
    expect(gradScalerOptionsError()).toBeNull();
  });
});

describe('GradScaler sequence', () => {
  it('10 steps, interval 3, inf at steps 2, 3 and 8: exact scale and tracker trace', () => {
    const scaler = new GradScaler({ growthInterval: 3 });
    const infAt = new Set([2, 3, 8]);
    const scales: number[] = [];
    const trackers: number[] = [];
    for (let step = 1; step <= 10; step++) {
      const scaled = new Float32Array([scaler.scaleLoss(0.25), infAt.has(step) ? Infinity : 1]);
      const { foundInf } = scaler.unscale([scaled]);
      if (!foundInf) expect(scaled[0]).toBe(0.25);
      scaler.update(foundInf);
      scales.push(scaler.scale);
      trackers.push(scaler.growthTracker);
    }
    expect(scales).toEqual([65536, 32768, 16384, 16384, 16384, 32768, 32768, 16384, 16384, 16384]);
    expect(trackers).toEqual([1, 0, 0, 1, 2, 0, 1, 0, 1, 2]);
  });

  it('loadState resumes the trace where another scaler left it, and refuses a bad state', () => {
    const o = { initScale: 65536, growthInterval: 3 };
    const first = new GradScaler(o);
    const infs = [false, true, false, false, false, true, false, false];
    for (const inf of infs.slice(0, 4)) first.update(inf);
    const resumed = new GradScaler(o);
    resumed.loadState({ scale: first.scale, growthTracker: first.growthTracker });
    for (const inf of infs.slice(4)) {
      first.update(inf);
      resumed.update(inf);
      expect([resumed.scale, resumed.growthTracker]).toEqual([first.scale, first.growthTracker]);
    }
    expect(() => resumed.loadState({ scale: 0, growthTracker: 0 })).toThrow(/the scale is 0/);
    expect(() => resumed.loadState({ scale: 2, growthTracker: -1 })).toThrow(/growth tracker is -1/);
  });
});
