import { describe, expect, it } from 'vitest';
import {
  describeCharacter,
  distinctCharacters,
  tokenizerFromSymbols,
  tokenizerFromText,
} from './tokenizer';

const sentence = /^[A-Z].*[.]$/s;

function must<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('tokenizerFromText', () => {
  it('ids are ranks of the sorted distinct characters (by code point)', () => {
    const t = must(tokenizerFromText('hello, World\n'));
    expect(t.symbols).toEqual(['\n', ' ', ',', 'W', 'd', 'e', 'h', 'l', 'o', 'r']);
    expect(t.vocab).toBe(10);
    expect([...t.encode('hello')]).toEqual([6, 5, 7, 7, 8]);
  });

  it('round-trips text with characters outside the BMP as one token each', () => {
    const text = 'a😀b😀\u00e9';
    const t = must(tokenizerFromText(text));
    expect(t.vocab).toBe(4);
    const ids = t.encode(text);
    expect(ids.length).toBe(5);
    expect(t.decode(ids)).toBe(text);
    // Code point order: 'a' < 'b' < 'é' (U+E9) < U+1F600.
    expect(t.symbols).toEqual(['a', 'b', '\u00e9', '😀']);
  });

  it('rejects an unknown character with a sentence naming it, its position, line and column', () => {
    const t = must(tokenizerFromText('abc\n'));
    const r = t.tryEncode('ab\ncaaz');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(sentence);
    expect(r.message).toContain('"z" (U+007A)');
    expect(r.message).toContain('position 6');
    expect(r.message).toContain('line 2, column 4');
    expect(() => t.encode('q')).toThrow(/"q" \(U\+0071\) at position 0 \(line 1, column 1\)/);
  });

  it('counts positions in characters, not UTF-16 code units', () => {
    const t = must(tokenizerFromText('a😀'));
    expect(t.tryEncode('a😀😀z')).toMatchObject({
      ok: false,
      message: expect.stringContaining('at position 3 (line 1, column 4)'),
    });
  });

  it('names non-printing characters by code', () => {
    expect(describeCharacter(10)).toBe('U+000A (line break)');
    expect(describeCharacter(7)).toBe('U+0007 (a control character)');
    const t = must(tokenizerFromText('ab'));
    expect(t.tryEncode('a\tb')).toMatchObject({
      ok: false,
      message: expect.stringContaining('U+0009 (tab) at position 1'),
    });
  });

  it('rejects ids outside the vocabulary when decoding', () => {
    const t = must(tokenizerFromText('xyz'));
    for (const bad of [3, -1, 1.5, NaN]) {
      const r = t.tryDecode([0, 1, bad]);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.message).toMatch(new RegExp(`^Token ${bad} at position 2 .*0 to 2\\)\\.$`));
    }
  });

  it('refuses an empty text and malformed symbol lists with sentences', () => {
    for (const r of [
      tokenizerFromText(''),
      tokenizerFromSymbols([]),
      tokenizerFromSymbols(['a', 'bc']),
      tokenizerFromSymbols(['a', 'b', 'a']),
    ]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(sentence);
    }
  });

  it('distinctCharacters agrees with a sort of a Set built independently', () => {
    const text = 'The quick brown fox. ÀÉ 123 ~ {}';
    const expected = Array.from(new Set(Array.from(text))).sort(
      (a, b) => a.codePointAt(0)! - b.codePointAt(0)!,
    );
    expect(distinctCharacters(text)).toEqual(expected);
  });
});
