// The headless runner's arguments: presets, run files and their errors. Expected values come from
// the presets table and the model sizes, not from the code under test.
import { describe, expect, it } from 'vitest';
import { readPublic } from '../data/readPublic.testutil';
import { MODEL_SIZES } from '../model/config';
import { PRESETS } from '../train/presets';
import { DEFAULT_METRICS_SCHEDULE } from '../train/trainer';
import { DatasetCache } from '../worker/datasets';
import { presetLines, resolveRunSpec, type RunnerArgs } from './runSpec';

const datasets = new DatasetCache({ fetchText: readPublic });
const resolve = (args: RunnerArgs) =>
  resolveRunSpec(args, (name, seed) => datasets.open(name, seed));
const file = (json: unknown, path = 'runs/exp.json') =>
  resolve({ configPath: path, configText: JSON.stringify(json) });

describe('runner arguments', () => {
  it('lists every preset with its title', () => {
    const lines = presetLines();
    expect(lines).toHaveLength(PRESETS.length);
    PRESETS.forEach((p, i) =>
      expect(lines[i]).toMatch(new RegExp(`^${p.id} +${p.title.replace(/[()+]/g, '\\$&')}$`)),
    );
  });

  it('resolves a preset, with the model size, steps and backend overridden', async () => {
    const preset = PRESETS.find((p) => p.id === 'fp16-without-loss-scaling');
    const r = await resolve({
      preset: 'fp16-without-loss-scaling',
      steps: '5',
      backend: 'cpu',
      model: 'tiny',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      name: preset?.id,
      title: preset?.title,
      dataset: 'shakespeare',
      backend: 'cpu',
      steps: 5,
    });
    expect(r.value.run.model).toEqual({ ...MODEL_SIZES.tiny, vocab: 65 });
    expect(r.value.run.lanes.map((l) => l.recipe)).toEqual([
      'fp32',
      'fp16-amp',
      'fp16-amp-noscale',
    ]);
    expect(r.value.run.metrics).toEqual(DEFAULT_METRICS_SCHEDULE);
    const defaults = await resolve({ preset: 'bf16-needs-no-scaling' });
    expect(
      defaults.ok && [defaults.value.backend, defaults.value.steps, defaults.value.run.model.d],
    ).toEqual(['webgpu', 300, MODEL_SIZES.default.d]);
  });

  it('fills a run file from a preset, the lane defaults and the schedule defaults', async () => {
    const r = await file({
      preset: 'router-in-low-precision',
      model: { size: 'tiny', d: 64 },
      metrics: { heldoutEvery: 2 },
      steps: 7,
    });
    expect(r.ok && r.value.name).toBe('exp');
    if (!r.ok) return;
    expect(r.value.dataset).toBe('synthetic');
    expect(r.value.run.model).toMatchObject({
      d: 64,
      layers: MODEL_SIZES.tiny.layers,
      context: MODEL_SIZES.tiny.context,
    });
    expect(r.value.run.metrics).toEqual({ ...DEFAULT_METRICS_SCHEDULE, heldoutEvery: 2 });
    expect(r.value.steps).toBe(7);
    const own = await file({ model: 'tiny', lanes: [{ recipe: 'bf16-pure', lr: 3e-4 }] });
    expect(own.ok && own.value.run.lanes).toEqual([
      {
        id: 'bf16-pure',
        recipe: 'bf16-pure',
        router: 'f32',
        lr: 3e-4,
        schedule: { kind: 'constant' },
        gradClip: 1,
        balanceCoef: 0.01,
        zLossCoef: 0.001,
        seed: 1337,
      },
    ]);
    expect(own.ok && [own.value.title, own.value.steps, own.value.dataset]).toEqual([
      'exp',
      100,
      'shakespeare',
    ]);
  });

  it('says what is wrong in one line', async () => {
    const message = async (p: Promise<Awaited<ReturnType<typeof resolve>>>) => {
      const r = await p;
      expect(r.ok).toBe(false);
      const text = r.ok ? '' : r.message;
      expect(text).not.toContain('\n');
      return text;
    };
    expect(await message(resolve({ preset: 'nope' }))).toBe(
      `There is no preset "nope"; the presets are ${PRESETS.map((p) => p.id).join(', ')} (--list shows their titles).`,
    );
    for (const steps of ['2.5', '0', 'ten', '-3', '1e3'])
      expect(await message(resolve({ steps }))).toMatch(
        new RegExp(`^--steps is "${steps.replace('.', '\\.')}"`),
      );
    expect(await message(resolve({ backend: 'metal' }))).toBe(
      '--backend is "metal"; use webgpu or cpu.',
    );
    expect(await message(resolve({ preset: 'x', configPath: 'a.json' }))).toMatch(
      /either --preset or --config/,
    );
    expect(await message(resolve({ configPath: 'bad.json', configText: '{"lanes": [' }))).toMatch(
      /^The run file bad\.json is not valid JSON: /,
    );
    expect(await message(file({ lane: [] }))).toBe(
      'The run file runs/exp.json has the unknown field "lane"; the known ones are preset, title, dataset, model, lanes, dataSeed, metrics, steps.',
    );
    expect(await message(file({ lanes: [{ recipe: 'fp8' }] }))).toMatch(
      /^Lane 1's recipe is "fp8"; use one of fp32, /,
    );
    expect(await message(file({ lanes: [{ recipe: 'fp32', learningRate: 1 }] }))).toMatch(
      /^Lane 1 has the unknown field "learningRate"/,
    );
    expect(await message(file({ lanes: [] }))).toMatch(/^The run has no "lanes"/);
    const invalid = await message(
      file({
        model: { size: 'tiny', heads: 3 },
        lanes: [{ recipe: 'fp32', lr: -1 }],
        metrics: { heldoutEvery: 1.5 },
      }),
    );
    expect(invalid).toMatch(
      /^The run file runs\/exp\.json is not a usable run \(3 problems\): heads is 3, which does not divide d = 32;/,
    );
    expect(invalid).toContain('Lane "fp32": lr is -1; it must be a positive number');
    expect(invalid).toContain('metrics.heldoutEvery is 1.5;');
  });
});
