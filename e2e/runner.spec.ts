// `npm run lab` end to end: the script serves the app, trains in headless Chromium through the
// worker and writes run.json and metrics.csv. The tiny model on the CPU backend keeps each run to
// seconds. Expectations come from the presets' lanes and the CSV contract (columns, metric names),
// and the two files are checked against each other.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lab = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], {
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

interface Row {
  step: number;
  lane: string;
  metric: string;
  value: number;
}

function readCsv(path: string): { header: string; rows: Row[] } {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const rows = lines.map((line) => {
    const [step, laneId, metric, value] = line.split(',');
    return { step: Number(step), lane: laneId, metric, value: Number(value) };
  });
  return { header, rows };
}

type RunJson = {
  format: string;
  lanes: {
    config: { id: string; recipe: string; lr: number; stochasticRounding?: boolean };
    recipe: { name: string };
  }[];
  series: Record<string, Record<string, { steps: number[]; values: number[] }>>;
};

const REQUIRED = [
  'loss',
  'tokens_per_s',
  'loss_scale',
  'found_inf',
  'step_skipped',
  'grad_zero_fraction',
  'weight_norm/total',
  'underflow/weight_grads',
];
const LANES = ['bf16-amp', 'bf16-pure', 'bf16-pure-sr']; // the preset's lanes

test('a preset at the tiny size on the CPU: run.json and metrics.csv', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-preset-'));
  const r = lab(
    '--preset',
    'bf16-pure-loses-updates',
    '--model',
    'tiny',
    '--steps',
    '5',
    '--backend',
    'cpu',
    '--out',
    out,
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/100%\s+5\/5 steps/);
  expect(r.stdout).toMatch(/^backend cpu: 5 of 5 steps/);

  const { header, rows } = readCsv(join(out, 'metrics.csv'));
  expect(header).toBe('step,lane,metric,value');
  expect([...new Set(rows.map((x) => x.lane))]).toEqual(LANES);
  for (const laneId of LANES) {
    const names = new Set(rows.filter((x) => x.lane === laneId).map((x) => x.metric));
    for (const name of REQUIRED) expect(names.has(name), `${laneId} ${name}`).toBe(true);
    // Lost updates exist only without a master copy.
    expect(names.has('lost_updates'), `${laneId} lost_updates`).toBe(laneId !== 'bf16-amp');
    const losses = rows.filter((x) => x.lane === laneId && x.metric === 'loss');
    expect(losses.map((x) => x.step)).toEqual([1, 2, 3, 4, 5]);
    expect(losses.every((x) => Number.isFinite(x.value))).toBe(true);
  }
  expect(rows.filter((x) => x.metric === 'tokens_per_s').every((x) => x.value > 0)).toBe(true);
  expect(rows.filter((x) => x.metric === 'loss_scale').every((x) => x.value === 1)).toBe(true);
  expect(
    rows
      .filter((x) => x.metric === 'lost_updates' && x.lane === 'bf16-pure')
      .every((x) => x.value > 0),
  ).toBe(true);

  const doc = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunJson;
  expect(doc.format).toBe('precision-lab-run');
  expect(doc.lanes.map((l) => [l.config.id, l.config.recipe, l.config.lr, l.recipe.name])).toEqual([
    ['bf16-amp', 'bf16-amp', 3e-4, 'bf16-amp'],
    ['bf16-pure', 'bf16-pure', 3e-4, 'bf16-pure'],
    ['bf16-pure-sr', 'bf16-pure', 3e-4, 'bf16-pure'],
  ]);
  expect(doc.lanes[2].config.stochasticRounding).toBe(true);
  // Every CSV row is a point of the document's series, and the other way round.
  let points = 0;
  for (const [laneId, series] of Object.entries(doc.series)) {
    for (const [metric, s] of Object.entries(series)) {
      const csv = rows.filter((x) => x.lane === laneId && x.metric === metric);
      expect(
        csv.map((x) => x.step),
        `${laneId} ${metric}`,
      ).toEqual(s.steps);
      expect(
        csv.map((x) => x.value),
        `${laneId} ${metric}`,
      ).toEqual(s.values);
      points += s.steps.length;
    }
  }
  expect(points).toBe(rows.length);
});

test('a run file with a short held-out schedule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-file-'));
  const file = join(dir, 'heldout.json');
  writeFileSync(
    file,
    JSON.stringify({
      preset: 'fp16-without-loss-scaling',
      model: 'tiny',
      metrics: { heldoutEvery: 2, heldoutBatches: 1 },
    }),
  );
  const r = lab('--config', file, '--steps', '5', '--backend', 'cpu', '--out', join(dir, 'out'));
  expect(r.code, r.stderr).toBe(0);
  const { rows } = readCsv(join(dir, 'out', 'metrics.csv'));
  for (const laneId of ['fp32', 'fp16-amp', 'fp16-amp-noscale']) {
    const heldout = rows.filter((x) => x.lane === laneId && x.metric === 'heldout_loss');
    expect(
      heldout.map((x) => x.step),
      laneId,
    ).toEqual([2, 4]);
    expect(heldout.every((x) => x.value > 0 && x.value < 5)).toBe(true);
    const names = new Set(rows.filter((x) => x.lane === laneId).map((x) => x.metric));
    for (const name of REQUIRED) expect(names.has(name), `${laneId} ${name}`).toBe(true);
  }
  // The scaled lane starts at PyTorch's init_scale; the others do not scale.
  const firstScale = (laneId: string) =>
    rows.find((x) => x.lane === laneId && x.metric === 'loss_scale' && x.step === 1)?.value;
  expect([firstScale('fp32'), firstScale('fp16-amp'), firstScale('fp16-amp-noscale')]).toEqual([
    1, 65536, 1,
  ]);
});

test('a GPU device lost mid-run: the run goes on from its snapshot, to the same numbers', async () => {
  test.setTimeout(240_000);
  // Two runs of the same preset on WebGPU; in one the device is destroyed after step 53. The
  // reference is the uninterrupted run: every step appears once and holds the same losses.
  const runs = [[], ['--lose-device-at', '53']].map((extra) => {
    const out = mkdtempSync(join(tmpdir(), 'lab-lost-'));
    const r = lab('--model', 'tiny', '--steps', '56', '--backend', 'webgpu', '--out', out, ...extra);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend webgpu: 56 of 56 steps/);
    return { r, rows: readCsv(join(out, 'metrics.csv')).rows };
  });
  const [plain, lost] = runs;
  expect(plain.r.stderr).not.toMatch(/device was lost/);
  expect(lost.r.stderr).toMatch(/lab: the GPU device was lost after step (5[3-6]); the run went on from its snapshot of step 50 on a new device\./);
  const losses = (rows: Row[]) => rows.filter((x) => x.metric === 'loss' || x.metric === 'heldout_loss' || x.metric === 'loss_scale');
  const key = (x: Row) => `${x.step} ${x.lane} ${x.metric}`;
  const once = new Set(losses(lost.rows).map(key));
  expect(once.size, 'every step of every lane once').toBe(losses(lost.rows).length);
  expect(losses(lost.rows)).toEqual(losses(plain.rows));
  expect(losses(plain.rows).filter((x) => x.metric === 'loss')).toHaveLength(56 * 3);
});

test('bad arguments: one line on stderr, exit code 2, no browser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-bad-'));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"preset": "bf16-needs-no-scaling", ');
  const invalid = join(dir, 'invalid.json');
  writeFileSync(
    invalid,
    JSON.stringify({
      model: { size: 'tiny', heads: 3 },
      lanes: [{ recipe: 'fp32', gradClip: -1 }],
    }),
  );
  const cases: [string[], RegExp][] = [
    [['--colour'], /^lab: Unknown argument "--colour"\. Known: --preset, --config, /],
    [['stray'], /^lab: Unknown argument "stray"/],
    [
      ['--preset', 'fp8-magic'],
      /^lab: There is no preset "fp8-magic"; the presets are fp32-vs-fp16-vs-bf16, .*router-in-low-precision/,
    ],
    [['--steps', '2.5'], /^lab: --steps is "2\.5"; give a whole number of steps/],
    [['--steps'], /^lab: --steps needs a value\./],
    [['--backend', 'metal'], /^lab: --backend is "metal"; use webgpu or cpu\./],
    [['--steps', '5', '--lose-device-at', '9'], /^lab: --lose-device-at is 9; give a step from 1 to 5\./],
    [['--backend', 'cpu', '--lose-device-at', '1'], /^lab: --lose-device-at needs --backend webgpu/],
    [
      ['--config', join(dir, 'missing.json')],
      /^lab: cannot read the run file .*missing\.json: there is no such file\./,
    ],
    [['--config', broken], /^lab: The run file .*broken\.json is not valid JSON: /],
    [
      ['--config', invalid],
      /^lab: The run file .*invalid\.json is not a usable run \(2 problems\): heads is 3, which does not divide d = 32; .* Lane "fp32": gradClip is -1; /,
    ],
  ];
  for (const [args, message] of cases) {
    const r = lab(...args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stdout, args.join(' ')).toBe('');
    expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    expect(r.stderr, args.join(' ')).toMatch(message);
  }
  const list = lab('--list');
  expect(list.code).toBe(0);
  expect(
    list.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]),
  ).toEqual([
    'fp32-vs-fp16-vs-bf16',
    'fp16-without-loss-scaling',
    'bf16-needs-no-scaling',
    'bf16-pure-loses-updates',
    'high-lr-fp16-overflow',
    'router-in-low-precision',
  ]);
});
