import { describe, expect, it } from 'vitest';
import { MAX_BATCH_TOKENS } from './batches';
import { textDataset } from './dataset';
import type { Dataset } from './types';

const sentence = /^[A-Z].*[.]$/s;
const text = Array.from(
  { length: 500 },
  (_, i) => `line ${i}: the quick brown fox jumps over ${i * 7} dogs\n`,
).join('');

function open(): Dataset {
  const r = textDataset(text, { name: 'test', description: 'A test text.', languageName: 'Test' });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const data = open();
const trainText = text.slice(0, Math.floor(text.length * 0.9));
const rows = (a: Int32Array, T: number) =>
  Array.from({ length: a.length / T }, (_, r) => [...a.subarray(r * T, r * T + T)]);

describe('batchAt', () => {
  it('is a pure function of (seed, step): a second dataset, or any call order, gives the same batch', () => {
    const other = open();
    const o = { batch: 8, context: 16, seed: 42 };
    const inOrder = Array.from({ length: 10 }, (_, step) => data.batchAt('train', { ...o, step }));
    expect(other.batchAt('train', { ...o, step: 7 })).toEqual(inOrder[7]);
    expect(data.batchAt('train', { ...o, step: 3 })).toEqual(inOrder[3]);
  });

  it('differs between steps, seeds and splits', () => {
    const o = { batch: 8, context: 16, seed: 42, step: 0 };
    const base = data.batchAt('train', o).offsets;
    expect(data.batchAt('train', { ...o, step: 1 }).offsets).not.toEqual(base);
    expect(data.batchAt('train', { ...o, seed: 43 }).offsets).not.toEqual(base);
    expect(data.batchAt('heldout', o).offsets).not.toEqual(base);
  });

  it('window b of step s uses counter s * B + b, so batches of different B line up', () => {
    const T = 12;
    const four = data.batchAt('train', { batch: 4, context: T, seed: 9, step: 1 }); // counters 4..7
    const two = data.batchAt('train', { batch: 2, context: T, seed: 9, step: 2 }); // counters 4, 5
    const one = data.batchAt('train', { batch: 1, context: T, seed: 9, step: 7 }); // counter 7
    expect(rows(two.inputs, T)).toEqual(rows(four.inputs, T).slice(0, 2));
    expect(rows(one.inputs, T)).toEqual(rows(four.inputs, T).slice(3));
  });

  it('targets are the inputs shifted by one, and both are the split text at the offset', () => {
    const T = 20;
    const b = data.batchAt('train', { batch: 16, context: T, seed: 1, step: 3 });
    expect(b.inputs.length).toBe(16 * T);
    expect(b.targets.length).toBe(16 * T);
    for (let r = 0; r < 16; r++) {
      for (let t = 0; t + 1 < T; t++) expect(b.targets[r * T + t]).toBe(b.inputs[r * T + t + 1]);
      const o = b.offsets[r];
      expect(data.tokenizer.decode(b.inputs.subarray(r * T, (r + 1) * T))).toBe(
        trainText.slice(o, o + T),
      );
      expect(data.tokenizer.decode(b.targets.subarray(r * T, (r + 1) * T))).toBe(
        trainText.slice(o + 1, o + T + 1),
      );
    }
    expect([...b.languages].every((l) => l === 0)).toBe(true);
  });

  it('offsets stay within the split and spread evenly over it', () => {
    const T = 32;
    const n = data.splitLength('train');
    const bins = new Array(10).fill(0);
    let draws = 0;
    for (let step = 0; step < 250; step++) {
      for (const o of data.batchAt('train', { batch: 16, context: T, seed: 5, step }).offsets) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o + T + 1).toBeLessThanOrEqual(n);
        bins[Math.floor((o / (n - T)) * 10)]++;
        draws++;
      }
    }
    const expected = draws / 10;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(33.7); // 9 degrees of freedom, p = 1e-4
  });

  it('a window as long as the split allows exactly one offset', () => {
    const n = data.splitLength('heldout');
    const b = data.batchAt('heldout', { batch: 3, context: n - 1, seed: 0, step: 0 });
    expect([...b.offsets]).toEqual([0, 0, 0]);
    expect(data.tokenizer.decode(b.targets.subarray(0, n - 1))).toBe(
      text.slice(text.length - n + 1),
    );
  });

  it('refuses unusable options with a sentence naming the field', () => {
    const ok = { batch: 4, context: 8, seed: 1, step: 0 };
    const cases: [Partial<typeof ok>, RegExp][] = [
      [{ batch: 0 }, /^The batch size B is 0;/],
      [{ batch: 2.5 }, /^The batch size B is 2\.5;/],
      [{ context: -3 }, /^The context length T is -3;/],
      [
        { context: data.splitLength('heldout') },
        /^The context length T is \d+ but the held-out split has only \d+ tokens;/,
      ],
      [
        { batch: 4096, context: MAX_BATCH_TOKENS / 2048 },
        /^The batch holds B × T = 4096 × 8192 = 33554432 tokens;/,
      ],
      [{ seed: -1 }, /^The seed is -1;/],
      [{ seed: 2 ** 32 }, /^The seed is 4294967296;/],
      [{ step: -1 }, /^The step is -1;/],
      [
        { step: 2 ** 30 },
        /^The step is 1073741824; with batch size B = 4 it must be at most 1073741823,/,
      ],
    ];
    for (const [change, pattern] of cases) {
      const o = { ...ok, ...change };
      const message = data.batchError('heldout', o);
      expect(message, JSON.stringify(change)).toMatch(pattern);
      expect(message).toMatch(sentence);
      expect(() => data.batchAt('heldout', o)).toThrow(RangeError);
    }
    expect(data.batchError('heldout', { ...ok, step: 2 ** 30 - 1 })).toBeNull();
    expect(() => data.heldoutBatches({ batch: 4, context: 8, seed: 1, count: 0 })).toThrow(
      /^The held-out batch count is 0;/,
    );
  });
});
