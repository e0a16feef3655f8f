import { beforeAll, describe, expect, it } from 'vitest';
import { readPublic } from './readPublic.testutil';
import { loadCorpus } from './corpus';
import { shakespeareDataset } from './dataset';
import type { Dataset } from './types';

// From nanoGPT's data/shakespeare_char/prepare.py output and README: the sorted characters, and
// "train has 1,003,854 tokens, val has 111,540 tokens".
const NANOGPT_CHARS = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

let text: string;
let data: Dataset;

beforeAll(async () => {
  const r = await loadCorpus({ fetchText: readPublic });
  if (!r.ok) throw new Error(r.message);
  text = r.value.text;
  const d = shakespeareDataset(text);
  if (!d.ok) throw new Error(d.message);
  data = d.value;
});

/** The test's own encoder: index in nanoGPT's character list. */
function ownEncode(s: string): number[] {
  return Array.from(s, (ch) => NANOGPT_CHARS.indexOf(ch));
}

describe('Tiny Shakespeare', () => {
  it('has nanoGPT’s 65-character vocabulary in the same order', () => {
    expect(data.vocab).toBe(65);
    expect(data.tokenizer.symbols.join('')).toBe(NANOGPT_CHARS);
    expect(data.languages).toHaveLength(1);
  });

  it('round-trips the whole corpus through the tokenizer', () => {
    const ids = data.tokenizer.encode(text);
    expect(ids.length).toBe(text.length);
    expect(data.tokenizer.decode(ids)).toBe(text);
    const head = 'First Citizen:\nBefore we proceed';
    expect([...ids.subarray(0, head.length)]).toEqual(ownEncode(head));
  });

  it('splits 90/10 like nanoGPT: 1,003,854 train and 111,540 held-out tokens', () => {
    expect(data.splitLength('train')).toBe(1_003_854);
    expect(data.splitLength('heldout')).toBe(111_540);
    const heldoutText = text.slice(1_003_854);
    expect([...data.splitTokens('heldout').subarray(0, 200)]).toEqual(
      ownEncode(heldoutText.slice(0, 200)),
    );
  });

  it('batches read the text at their offsets, targets one character later', () => {
    const T = 64;
    for (const split of ['train', 'heldout'] as const) {
      const splitText = split === 'train' ? text.slice(0, 1_003_854) : text.slice(1_003_854);
      for (const step of [0, 1, 5000]) {
        const b = data.batchAt(split, { batch: 4, context: T, seed: 1337, step });
        for (let row = 0; row < 4; row++) {
          const o = b.offsets[row];
          expect(o).toBeGreaterThanOrEqual(0);
          expect(o + T).toBeLessThan(splitText.length);
          expect([...b.inputs.subarray(row * T, row * T + T)]).toEqual(
            ownEncode(splitText.slice(o, o + T)),
          );
          expect([...b.targets.subarray(row * T, row * T + T)]).toEqual(
            ownEncode(splitText.slice(o + 1, o + T + 1)),
          );
        }
      }
    }
  });

  it('held-out evaluation batches are fixed by the seed and lie in the last 10%', () => {
    const options = { batch: 8, context: 64, seed: 7, count: 4 };
    const a = data.heldoutBatches(options);
    const again = data.heldoutBatches(options);
    expect(a).toHaveLength(4);
    expect(a).toEqual(again);
    expect(data.heldoutBatches({ ...options, seed: 8 })[0].offsets).not.toEqual(a[0].offsets);
    const heldoutText = text.slice(1_003_854);
    for (const b of a) {
      for (let row = 0; row < 8; row++) {
        const o = b.offsets[row];
        expect(o + 64).toBeLessThan(heldoutText.length);
        expect(data.tokenizer.decode(b.inputs.subarray(row * 64, row * 64 + 64))).toBe(
          heldoutText.slice(o, o + 64),
        );
      }
    }
  });
});
