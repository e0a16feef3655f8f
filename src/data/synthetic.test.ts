import { describe, expect, it } from 'vitest';
import { generateSynthetic, syntheticDataset } from './synthetic';
import { SEPARATOR, SYNTHETIC_LANGUAGES } from './syntheticLanguages';
import type { Dataset } from './types';

const sentence = /^[A-Z].*[.]$/s;

// The grammars, checked by the test's own parsers (by tag), not by the generators.
function grammarError(sequence: string): string | null {
  const tag = sequence[0];
  const body = sequence.slice(1);
  if (tag === '#') {
    if (!/^\d+( \d+){2,6}$/.test(body)) return 'counting: not 3 to 7 numbers';
    const n = body.split(' ').map(Number);
    const step = n[1] - n[0];
    if (step < 1 || step > 3 || n[0] > 999) return 'counting: bad start or step';
    return n.every((x, i) => i === 0 || x - n[i - 1] === step) ? null : 'counting: uneven steps';
  }
  if (tag === '*') {
    if (!/^[a-z]+$/.test(body)) return 'repeats: not lowercase';
    for (let q = 2; q <= 4; q++) {
      const reps = body.length / q;
      if (
        Number.isInteger(reps) &&
        reps >= 3 &&
        reps <= 5 &&
        body === body.slice(0, q).repeat(reps)
      )
        return null;
    }
    return 'repeats: no unit of 2 to 4 letters repeated 3 to 5 times';
  }
  if (tag === '=') {
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };
    const stack: string[] = [];
    for (const ch of body) {
      if ('([{<'.includes(ch)) stack.push(ch);
      else if (pairs[ch] === undefined || stack.pop() !== pairs[ch])
        return `brackets: mismatched ${ch}`;
      if (stack.length > 5) return 'brackets: deeper than 5';
    }
    if (stack.length !== 0) return 'brackets: unclosed';
    return body.length >= 4 && body.length <= 16 ? null : 'brackets: not 2 to 8 pairs';
  }
  if (tag === '@') {
    const m = /^([A-Z]{2,8})\|([A-Z]{2,8})$/.exec(body);
    return m && m[2] === [...m[1]].reverse().join('') ? null : 'mirror: not word|reversed';
  }
  return `unknown tag ${JSON.stringify(tag)}`;
}

const TAG_LANGUAGE: Record<string, number> = { '#': 0, '*': 1, '=': 2, '@': 3 };

function open(seed: number, length = 20_000): Dataset {
  const r = syntheticDataset({ seed, length });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('synthetic task', () => {
  const gen = generateSynthetic({ seed: 11, length: 20_000 });
  const sequences = gen.text.split(SEPARATOR).slice(0, -1);

  it('is a stream of whole sequences, each obeying its language’s grammar', () => {
    expect(gen.text.length).toBeGreaterThanOrEqual(20_000);
    expect(gen.text.endsWith(SEPARATOR)).toBe(true);
    expect(sequences.length).toBe(gen.sequenceStarts.length);
    for (const s of sequences) {
      const error = grammarError(s);
      if (error) expect.fail(`${JSON.stringify(s)}: ${error}`);
    }
  });

  it('tags every character with the language of its sequence, and uses only that alphabet', () => {
    expect(gen.languages.length).toBe(gen.text.length);
    let at = 0;
    for (const s of sequences) {
      const id = TAG_LANGUAGE[s[0]];
      const alphabet = SYNTHETIC_LANGUAGES[id].alphabet;
      for (let i = 0; i <= s.length; i++) {
        expect(gen.languages[at + i]).toBe(id);
        if (i < s.length && !alphabet.includes(s[i]))
          expect.fail(`${JSON.stringify(s[i])} outside ${SYNTHETIC_LANGUAGES[id].name}`);
      }
      at += s.length + 1;
    }
  });

  it('alphabets are disjoint, sharing only the separator, and make a 77-symbol vocabulary', () => {
    const seen = new Map<string, string>();
    for (const l of SYNTHETIC_LANGUAGES) {
      expect(l.alphabet.includes(SEPARATOR)).toBe(false);
      for (const ch of l.alphabet) {
        if (seen.has(ch)) expect.fail(`${ch} in ${seen.get(ch)} and ${l.name}`);
        seen.set(ch, l.name);
      }
    }
    const d = open(11);
    expect(d.vocab).toBe(seen.size + 1);
    expect(d.vocab).toBe(77);
    expect(d.languages.map((l) => l.name)).toEqual(['Counting', 'Repeats', 'Brackets', 'Mirror']);
    for (const l of d.languages) expect(l.description).toMatch(sentence);
  });

  it('chooses each language for about a quarter of the sequences', () => {
    const counts = [0, 0, 0, 0];
    for (const s of sequences) counts[TAG_LANGUAGE[s[0]]]++;
    for (const c of counts) expect(Math.abs(c / sequences.length - 0.25)).toBeLessThan(0.04);
  });

  it('is deterministic in the seed', () => {
    expect(generateSynthetic({ seed: 11, length: 20_000 }).text).toBe(gen.text);
    expect(generateSynthetic({ seed: 12, length: 20_000 }).text).not.toBe(gen.text);
    // A longer stream from the same seed starts with the same sequences.
    expect(generateSynthetic({ seed: 11, length: 40_000 }).text.startsWith(gen.text)).toBe(true);
  });

  it('splits at a sequence boundary near 90%, both splits whole sequences', () => {
    const d = open(11);
    const n = gen.text.length;
    expect(d.splitLength('train') + d.splitLength('heldout')).toBe(n);
    expect(d.splitLength('train')).toBeGreaterThanOrEqual(Math.floor(0.9 * n));
    expect(d.splitLength('train')).toBeLessThan(Math.floor(0.9 * n) + 40);
    expect(gen.text[d.splitLength('train') - 1]).toBe(SEPARATOR);
    const heldout = d.tokenizer.decode(d.splitTokens('heldout'));
    expect(heldout).toBe(gen.text.slice(gen.trainEnd));
    for (const s of heldout.split(SEPARATOR).slice(0, -1)) expect(grammarError(s)).toBeNull();
  });

  it('batches have the text interface plus the language of each input position', () => {
    const d = open(11);
    const T = 24;
    const train = gen.text.slice(0, gen.trainEnd);
    const b = d.batchAt('train', { batch: 6, context: T, seed: 3, step: 2 });
    expect(d.batchAt('train', { batch: 6, context: T, seed: 3, step: 2 })).toEqual(b);
    for (let r = 0; r < 6; r++) {
      const o = b.offsets[r];
      expect(d.tokenizer.decode(b.inputs.subarray(r * T, (r + 1) * T))).toBe(train.slice(o, o + T));
      expect(d.tokenizer.decode(b.targets.subarray(r * T, (r + 1) * T))).toBe(
        train.slice(o + 1, o + T + 1),
      );
      // Independent of gen.languages: the language of a position is that of the last tag at or before it.
      for (let t = 0; t < T; t++) {
        let p = o + t;
        while (p > 0 && train[p - 1] !== SEPARATOR) p--;
        expect(b.languages[r * T + t]).toBe(TAG_LANGUAGE[train[p]]);
      }
    }
    const evalSet = d.heldoutBatches({ batch: 4, context: T, seed: 3, count: 3 });
    expect(evalSet.map((e) => [...e.offsets])).toEqual(
      open(11)
        .heldoutBatches({ batch: 4, context: T, seed: 3, count: 3 })
        .map((e) => [...e.offsets]),
    );
  });

  it('refuses bad options with sentences naming the field', () => {
    for (const [o, pattern] of [
      [{ seed: -2 }, /^The synthetic text seed is -2;/],
      [{ seed: 1, length: 10 }, /^The synthetic text length is 10;/],
      [{ seed: 1, length: 1e9 }, /^The synthetic text length is 1000000000;/],
    ] as const) {
      const r = syntheticDataset(o);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(pattern);
        expect(r.message).toMatch(sentence);
      }
    }
  });
});
