import { describe, expect, it } from 'vitest';
import { readPublic } from './readPublic.testutil';
import { HttpError } from './corpus';
import {
  DEFAULT_DATA_OPTIONS,
  dataOptionsError,
  isDatasetName,
  openDataset,
  type DataOptions,
} from './options';

const sentence = /^[A-Z].*[.]$/s;
const fetchText = readPublic;

describe('dataOptionsError', () => {
  it('accepts the defaults and names the field of each bad setting', () => {
    expect(dataOptionsError({ ...DEFAULT_DATA_OPTIONS })).toBeNull();
    const cases: [Partial<DataOptions>, RegExp][] = [
      [
        { dataset: 'wikipedia' as DataOptions['dataset'] },
        /^The dataset is "wikipedia"; choose one of "shakespeare" or "synthetic"\.$/,
      ],
      [{ batch: 0 }, /^The batch size B is 0;/],
      [{ batch: Number.NaN }, /^The batch size B is NaN;/],
      [{ context: 1.5 }, /^The context length T is 1\.5;/],
      [{ batch: 1 << 13, context: 1 << 12 }, /^The batch holds B × T/],
      [{ seed: 0.5 }, /^The seed is 0\.5;/],
      [{ heldoutBatches: 0 }, /^The held-out batch count is 0;/],
      [{ heldoutBatches: 5000 }, /^The held-out batch count is 5000;/],
      [{ dataset: 'synthetic', syntheticLength: 5 }, /^The synthetic text length is 5;/],
    ];
    for (const [change, pattern] of cases) {
      const message = dataOptionsError({ ...DEFAULT_DATA_OPTIONS, ...change });
      expect(message, JSON.stringify(change)).toMatch(pattern);
      expect(message).toMatch(sentence);
    }
  });

  it('isDatasetName', () => {
    expect(['shakespeare', 'synthetic', 'x', 3, null].map(isDatasetName)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('openDataset', () => {
  it('opens Tiny Shakespeare through an injected reader', async () => {
    const r = await openDataset({ ...DEFAULT_DATA_OPTIONS }, { fetchText });
    expect(r.ok && r.value.name).toBe('shakespeare');
    expect(r.ok && r.value.vocab).toBe(65);
  });

  it('generates the synthetic task from the seed without fetching', async () => {
    const r = await openDataset(
      { ...DEFAULT_DATA_OPTIONS, dataset: 'synthetic', syntheticLength: 5000 },
      { fetchText: () => Promise.reject(new Error('must not fetch')) },
    );
    expect(r.ok && r.value.name).toBe('synthetic');
    expect(
      r.ok && r.value.splitLength('train') + r.value.splitLength('heldout'),
    ).toBeGreaterThanOrEqual(5000);
  });

  it('passes on the loading sentence, and checks T against the opened splits', async () => {
    const missing = await openDataset(
      { ...DEFAULT_DATA_OPTIONS },
      { fetchText: () => Promise.reject(new HttpError(404, 'Not Found')) },
    );
    expect(missing).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^Could not load the training text from \/tinyshakespeare\.txt \(HTTP 404\)/,
      ),
    });

    const long = await openDataset({
      ...DEFAULT_DATA_OPTIONS,
      dataset: 'synthetic',
      syntheticLength: 1000,
      context: 200,
      batch: 1,
    });
    expect(long.ok).toBe(false);
    if (!long.ok) {
      expect(long.message).toMatch(
        /^The context length T is 200 but the held-out split has only \d+ tokens;/,
      );
      expect(long.message).toMatch(sentence);
    }
  });
});
