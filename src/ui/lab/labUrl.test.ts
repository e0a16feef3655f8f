// The Lab's URL table: round trips of random settings (seeded), presets as short links, and
// malformed links that must give a notice and otherwise working settings.
import { describe, expect, it } from 'vitest';
import { COUNTED_EVENTS, uniform01 } from '../../numerics';
import { LANE_PALETTE } from '../../store';
import { makeLane, validateLanes, type LaneConfig } from '../../train/lane';
import { PRESETS } from '../../train/presets';
import { RECIPE_NAMES } from '../../train/recipes';
import { CHART_IDS } from '../charts/chartIds';
import { labSearch, readLabUrl } from './labUrl';
import { defaultLabSettings, presetConfig, type LabSettings } from './settings';

function randomSettings(seed: number): LabSettings {
  let i = 0;
  const r = () => uniform01(seed, i++);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const count = 1 + Math.floor(r() * 4);
  const lanes = Array.from({ length: count }, (_, k) => {
    const recipe = pick(RECIPE_NAMES);
    const lane: LaneConfig = makeLane(recipe, {
      id: `${recipe}-${k}`,
      lr: Number((r() * 0.01 + 1e-5).toPrecision(3)),
      gradClip: r() < 0.3 ? null : 1 + Math.floor(r() * 3),
      balanceCoef: r() < 0.5 ? 0.01 : 0.02,
      seed: Math.floor(r() * 1e9),
      router: r() < 0.5 ? 'f32' : 'low',
    });
    if (r() < 0.4) lane.label = `Lane, “${k}”: ${recipe}`;
    if (r() < 0.4) lane.schedule = { kind: 'warmup-cosine', warmupSteps: 10, totalSteps: 500, minLr: lane.lr / 10 };
    if (recipe === 'bf16-pure' && r() < 0.5) lane.stochasticRounding = true;
    if (recipe === 'fp16-amp' && r() < 0.7) lane.scaler = { growth_interval: 50, init_scale: 1024 };
    return { config: lane, colour: pick(LANE_PALETTE).hex };
  });
  const ids = lanes.map((l) => l.config.id);
  const preset = pick([null, ...PRESETS]);
  return {
    ...defaultLabSettings(),
    ...(preset ? { presetId: preset.id } : { presetId: null }),
    lanes,
    modelSize: pick(['tiny', 'default']),
    dataset: pick(['shakespeare', 'synthetic'] as const),
    dataSeed: Math.floor(r() * 0xffffffff),
    stepsPerSecond: pick([Infinity, 1, 2.5, 60]),
    backend: pick(['auto', 'cpu'] as const),
    smoothing: pick([0, 0.6, 0.95]),
    hiddenLanes: ids.filter(() => r() < 0.3),
    logCharts: CHART_IDS.filter(() => r() < 0.3),
    weightTensor: pick(['total', 'wte', 'layer0.qkvw', 'layer1.fc2w']),
    eventKind: pick(COUNTED_EVENTS),
    expertLane: pick([null, ...ids]),
  };
}

describe('Lab URL', () => {
  it('round-trips 200 random settings exactly, with no notice', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const settings = randomSettings(seed);
      expect(validateLanes(settings.lanes.map((l) => l.config))).toEqual([]);
      const search = labSearch(settings, '?view=lab');
      const back = readLabUrl(search);
      expect(back.notices, search).toEqual([]);
      expect(back.settings, search).toEqual(settings);
    }
  });

  it('the defaults make an empty query, and a preset is one short parameter', () => {
    expect(labSearch(defaultLabSettings(), '')).toBe('');
    const preset = PRESETS[3];
    const settings = { ...defaultLabSettings(), ...presetConfig(preset) };
    expect(labSearch(settings, '')).toBe(`?preset=${preset.id}`);
    expect(readLabUrl(`?preset=${preset.id}`).settings).toEqual(settings);
  });

  it('a malformed or unknown value is ignored and named, the rest of the link still applies', () => {
    const { settings, notices } = readLabUrl(
      '?preset=nope&model=tiny&sps=-3&lane=fp16-amp,lr:abc,growth_interval:50&lane=fp99&lane=bf16-pure,sr:1,lr:-1&smooth=<img src=x>&zzz=1',
    );
    expect(settings.modelSize).toBe('tiny');
    expect(settings.stepsPerSecond).toBe(Infinity);
    expect(settings.smoothing).toBe(defaultLabSettings().smoothing);
    expect(settings.lanes.map((l) => l.config.recipe)).toEqual(['fp16-amp', 'bf16-pure']);
    // The left-out lane does not shift the palette: the kept lanes take its first colours.
    expect(settings.lanes.map((l) => l.colour)).toEqual([LANE_PALETTE[0].hex, LANE_PALETTE[1].hex]);
    expect(settings.lanes[0].config.scaler).toEqual({ growth_interval: 50 });
    expect(settings.lanes[0].config.lr).toBe(makeLane('fp16-amp').lr);
    expect(settings.lanes[1].config.stochasticRounding).toBe(true);
    expect(settings.lanes[1].config.lr).toBe(makeLane('bf16-pure').lr);
    const text = notices.join('\n');
    for (const named of ['“nope”', 'sps', '“abc”', '“fp99”', 'lr is -1', '<img src=x>', '“zzz”']) expect(text).toContain(named);
    expect(notices).toHaveLength(7);
  });

  it('stochastic rounding on a master-weight recipe is refused with validateLane’s sentence', () => {
    const { settings, notices } = readLabUrl('?lane=bf16-amp,sr:1');
    expect(settings.lanes[0].config.stochasticRounding).toBeUndefined();
    expect(notices[0]).toMatch(/stochasticRounding applies only to weights stored without a master copy/);
  });

  it('repeated lanes of one recipe get distinct ids; more than 8 lanes are cut with a notice', () => {
    const twice = readLabUrl('?lane=fp32&lane=fp32');
    expect(twice.settings.lanes.map((l) => l.config.id)).toEqual(['fp32', 'fp32-2']);
    expect(twice.notices).toEqual([]);
    const many = readLabUrl(`?${Array.from({ length: 10 }, () => 'lane=bf16-amp').join('&')}`);
    expect(many.settings.lanes).toHaveLength(8);
    expect(many.notices[0]).toContain('10 lanes');
  });

  it('hide and expert must name lanes of the link', () => {
    const r = readLabUrl('?lane=fp32&hide=fp32,ghost&expert=ghost');
    expect(r.settings.hiddenLanes).toEqual(['fp32']);
    expect(r.settings.expertLane).toBeNull();
    expect(r.notices).toHaveLength(2);
  });
});
