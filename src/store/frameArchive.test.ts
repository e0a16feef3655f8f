// The series store rebuilds the frames it was sent: frames from the real CPU trainer (every
// recipe family, histograms, held-out losses, samples, memory, a diverging lane) must come back
// equal, and the CSV and JSON exports built from them byte for byte the ones built from the
// originals (train/csv.ts and train/runDocument.ts, independent of the store), after a truncate too.
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- the test's reference: the real trainer's frames
import { CpuTrainer } from '../train/cpuBackend';
// eslint-disable-next-line no-restricted-imports
import { frameToRows, toCsv } from '../train/csv';
// eslint-disable-next-line no-restricted-imports
import { makeLane } from '../train/lane';
// eslint-disable-next-line no-restricted-imports
import { buildRunDocument, runDocumentJson, type RunDescription } from '../train/runDocument';
// eslint-disable-next-line no-restricted-imports
import { testDataset, tinyRun } from '../train/testRun.testutil';
import type { MetricsFrame } from '../worker/protocol';
import { createSeriesStore } from './series';
import { seededRandom, syntheticFrame } from './testFrames.testutil';

const csv = (frames: readonly MetricsFrame[]) => toCsv(frames.flatMap((f) => frameToRows(f)));

async function cpuFrames(): Promise<{ run: RunDescription; batches: MetricsFrame[][] }> {
  const config = tinyRun(
    [
      makeLane('fp32'),
      makeLane('fp16-amp'),
      makeLane('bf16-pure'),
      makeLane('fp16-amp-noscale', { id: 'hot', lr: 1e4, gradClip: null }),
    ],
    { histogramEvery: 2, heldoutEvery: 3, heldoutBatches: 1, sampleEvery: 4, sampleLength: 4 },
  );
  const trainer = new CpuTrainer();
  expect(await trainer.configure(config, testDataset())).toEqual({ ok: true });
  const batches = [trainer.stepSync(1), trainer.stepSync(3), trainer.stepSync(4)];
  const run = { model: config.model, data: { dataset: 'synthetic', seed: config.dataSeed }, lanes: config.lanes };
  return { run, batches };
}

describe('frame archive', () => {
  it('rebuilds the CPU trainer frames exactly; CSV and JSON exports are byte-identical, after truncate too', async () => {
    const { run, batches } = await cpuFrames();
    const all = batches.flat();
    // The run has what the archive must carry: every optional field, a divergence, lost updates.
    expect(all.some((f) => f.gradHistogram) && all.some((f) => f.heldoutLoss !== undefined)).toBe(true);
    expect(all.some((f) => f.sample) && all.some((f) => f.memory)).toBe(true);
    expect(all.some((f) => f.diverged)).toBe(true);
    expect(all.some((f) => f.lostUpdates === null) && all.some((f) => typeof f.lostUpdates === 'number')).toBe(true);
    expect(all.some((f) => f.foundInf)).toBe(true);

    const store = createSeriesStore();
    for (const batch of batches) store.getState().append(structuredClone(batch));
    const rebuilt = store.getState().frames();
    expect(store.getState().frameCount).toBe(all.length);
    expect(rebuilt).toStrictEqual(all);
    expect(csv(rebuilt)).toBe(csv(all));
    expect(runDocumentJson(buildRunDocument(run, rebuilt))).toBe(runDocumentJson(buildRunDocument(run, all)));

    // A resume from the snapshot of step 5 drops the later steps; the replay appends them again.
    store.getState().truncate(5);
    const kept = all.filter((f) => f.step <= 5);
    expect(store.getState().frames()).toStrictEqual(kept);
    expect(store.getState().frameCount).toBe(kept.length);
    expect(csv(store.getState().frames())).toBe(csv(kept));
    expect(runDocumentJson(buildRunDocument(run, store.getState().frames()))).toBe(runDocumentJson(buildRunDocument(run, kept)));
    // The replay differs from what was cut (a GPU lane resumed within tolerance): nothing of the
    // cut steps may leak into it.
    const replay = structuredClone(all.filter((f) => f.step > 5));
    for (const f of replay) for (const table of Object.values(f.events)) for (const bySite of Object.values(table)) bySite.forEach((n, s) => (bySite[s] = n + s + 1));
    store.getState().append(structuredClone(replay));
    expect(store.getState().frames()).toStrictEqual([...kept, ...replay]);

    store.getState().clear();
    expect(store.getState().frames()).toEqual([]);
    expect(store.getState().frameCount).toBe(0);
  });

  it('keeps what the columns cannot: odd counts, NaN lost updates, new shapes mid-run, unknown fields, colliding names', () => {
    const rand = seededRandom(21);
    const odd = syntheticFrame('a', 2, rand);
    odd.events.overflow.weights = [-0, 2.5, 2 ** 60];
    odd.events.underflow.router = [Number.MAX_SAFE_INTEGER, -3, NaN, Infinity, 127, 128, 16_383, 16_384];
    const frames: MetricsFrame[] = [
      syntheticFrame('a', 1, rand, { foundInf: true, lostUpdates: 0 }),
      syntheticFrame('b', 1, rand, { lostUpdates: NaN, stepSkipped: true }),
      odd,
      // A tensor appears mid-run; the expert load gets a layer.
      syntheticFrame('a', 3, rand, { weightNorms: { wte: 1, 'layer0.qkvw': 2, lmHead: -0 }, expertLoad: [[1, 2], [3, 4, 5]] }),
      { ...syntheticFrame('b', 2, rand), extra: 'kept' } as MetricsFrame,
      // 'weight_norm/total' is also weightNormTotal's column: this frame is kept whole.
      syntheticFrame('b', 3, rand, { weightNorms: { total: 5 } }),
      syntheticFrame('b', 4, rand, { heldoutLoss: NaN, diverged: { step: 4, reason: 'loss', group: null, site: null, event: null, message: 'm' } }),
      syntheticFrame('a', 4, rand, { foundInf: 1 as unknown as boolean }),
    ];
    const store = createSeriesStore();
    store.getState().append(frames.slice(0, 3));
    store.getState().append(frames.slice(3));
    expect(store.getState().frames()).toEqual(frames);
    expect(Object.is(store.getState().frames()[2].events.overflow.weights[0], -0)).toBe(true);
    expect(Object.is(store.getState().frames()[3].weightNorms.lmHead, -0)).toBe(true);
    expect(csv(store.getState().frames())).toBe(csv(frames));
    // The columns after the whole frame stay aligned with the steps.
    expect(store.getState().lanes.get('b')!.valueAt('loss', 4)).toBe(frames[6].loss);
    store.getState().truncate(2);
    expect(store.getState().frames()).toEqual(frames.filter((f) => f.step <= 2));
  });

  it('drops a repeated or out-of-order step from the rebuilt frames as from the columns', () => {
    const rand = seededRandom(22);
    const store = createSeriesStore();
    const a1 = syntheticFrame('a', 1, rand);
    const a2 = syntheticFrame('a', 2, rand);
    const b1 = syntheticFrame('b', 1, rand);
    store.getState().append([a1, b1, a2]);
    store.getState().append([syntheticFrame('a', 2, rand), syntheticFrame('b', 1, rand), syntheticFrame('a', 1, rand)]);
    expect(store.getState().frames()).toEqual([a1, b1, a2]);
    expect(store.getState().frameCount).toBe(3);
  });
});
