import { describe, expect, it } from 'vitest';
import { lrAt, makeLane, scalerConfig, validateLane, validateLanes, type LaneConfig } from './lane';
import { PRESETS, presetById } from './presets';
import { GRAD_SCALER_DEFAULTS, RECIPES, RECIPE_NAMES } from './recipes';

describe('recipes', () => {
  it('are the table of DESIGN.md §2', () => {
    const row = (name: (typeof RECIPE_NAMES)[number]) => {
      const r = RECIPES[name];
      return [r.matmulFormat, r.masterWeights, r.storageFormat, r.lossScaling.enabled];
    };
    expect(row('fp32')).toEqual(['fp32', false, 'fp32', false]);
    expect(row('fp16-amp')).toEqual(['fp16', true, 'fp16', true]);
    expect(row('fp16-amp-noscale')).toEqual(['fp16', true, 'fp16', false]);
    expect(row('bf16-amp')).toEqual(['bf16', true, 'bf16', false]);
    expect(row('bf16-pure')).toEqual(['bf16', false, 'bf16', false]);
    expect(RECIPES['bf16-pure'].weightsFormat).toBe('bf16');
    expect(RECIPE_NAMES.filter((n) => RECIPES[n].allowsStochasticRounding)).toEqual(['bf16-pure']);
  });

  it("use PyTorch's GradScaler defaults and names", () => {
    expect(GRAD_SCALER_DEFAULTS).toEqual({ init_scale: 65536, growth_factor: 2, backoff_factor: 0.5, growth_interval: 2000, enabled: true });
    const lane = makeLane('fp16-amp', { scaler: { growth_interval: 50 } });
    expect(scalerConfig(lane)).toEqual({ ...GRAD_SCALER_DEFAULTS, growth_interval: 50 });
    expect(scalerConfig(makeLane('bf16-amp')).enabled).toBe(false);
  });
});

describe('lane config', () => {
  it('accepts the defaults of every recipe', () => {
    for (const r of RECIPE_NAMES) expect(validateLane(makeLane(r))).toEqual([]);
  });

  it('names the field and says why', () => {
    const errors = (o: Partial<LaneConfig>) => validateLane({ ...makeLane('fp16-amp'), ...o } as LaneConfig);
    expect(errors({ lr: 0 })).toEqual(['Lane "fp16-amp": lr is 0; it must be a positive number (try 1e-3).']);
    expect(errors({ gradClip: -1 })).toEqual(['Lane "fp16-amp": gradClip is -1; give a positive maximum norm (e.g. 1) or null for no clipping.']);
    expect(errors({ stochasticRounding: true })[0]).toMatch(/^Lane "fp16-amp": stochasticRounding applies only to weights stored without a master copy/);
    expect(errors({ recipe: 'fp8' as 'fp32' })[0]).toMatch(/^Lane "fp16-amp": recipe is "fp8"; use one of fp32, fp16-amp/);
    expect(errors({ router: 'half' as 'low' })).toEqual([`Lane "fp16-amp": router is "half"; use 'f32' or 'low'.`]);
    expect(errors({ scaler: { growth_factor: 1 } })).toEqual([
      'Lane "fp16-amp": GradScaler scaler.growth_factor is 1; it must be above 1 (PyTorch default 2).',
    ]);
    expect(errors({ seed: -3 })[0]).toMatch(/seed is -3; it must be a whole number from 0 to 4294967295\./);
    expect(errors({ zLossCoef: -1 })[0]).toMatch(/zLossCoef is -1; it must be a number, 0 or more\./);
    expect(errors({ id: 'a lane' })[0]).toMatch(/^Lane "a lane": id must be 1 to 40 letters/);
    expect(errors({ schedule: { kind: 'warmup-cosine', warmupSteps: 10, totalSteps: 5, minLr: 0 } })).toEqual([
      'Lane "fp16-amp": schedule.totalSteps is 5; it must be a whole number of steps above warmupSteps (10).',
    ]);
  });

  it('refuses an empty run and repeated ids', () => {
    expect(validateLanes([])).toEqual(['The run has no lanes; add at least one recipe to train.']);
    expect(validateLanes([makeLane('fp32'), makeLane('fp32')])).toEqual(['Lane id "fp32" is used twice; give each lane its own id.']);
  });

  it('schedules the learning rate: constant, or linear warmup then cosine to minLr', () => {
    expect(lrAt(makeLane('fp32', { lr: 0.1 }), 777)).toBe(0.1);
    const lane = makeLane('fp32', { lr: 1, schedule: { kind: 'warmup-cosine', warmupSteps: 10, totalSteps: 110, minLr: 0.1 } });
    expect(lrAt(lane, 1)).toBeCloseTo(0.1, 15);
    expect(lrAt(lane, 10)).toBe(1);
    // Halfway through the decay: cos(pi/2) = 0, so halfway between lr and minLr.
    expect(lrAt(lane, 60)).toBeCloseTo(0.55, 12);
    expect(lrAt(lane, 110)).toBe(0.1);
    expect(lrAt(lane, 500)).toBe(0.1);
  });
});

describe('presets', () => {
  it('are valid runs with an explanation, and cover the experiments of the design', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([
      'fp32-vs-fp16-vs-bf16',
      'fp16-without-loss-scaling',
      'bf16-needs-no-scaling',
      'bf16-pure-loses-updates',
      'high-lr-fp16-overflow',
      'router-in-low-precision',
    ]);
    for (const p of PRESETS) {
      expect(validateLanes(p.lanes), p.id).toEqual([]);
      expect(p.explanation.length, p.id).toBeGreaterThan(200);
    }
    expect(presetById('bf16-pure-loses-updates')?.lanes.some((l) => l.stochasticRounding)).toBe(true);
    expect(presetById('high-lr-fp16-overflow')?.lanes.some((l) => l.recipe === 'fp16-amp')).toBe(true);
    expect(presetById('router-in-low-precision')?.lanes.some((l) => l.router === 'low')).toBe(true);
  });
});
