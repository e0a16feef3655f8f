/**
 * Character tokenizer (nanoGPT shakespeare_char): the vocabulary is the sorted set of characters
 * of a text, id = rank. "Character" means Unicode code point, so an emoji is one token; sorting
 * is by code point (Python's sorted(set(text)) order).
 */
import type { Result, Tokenizer } from './types';

/** `"é" (U+00E9)`, or just `U+000A (line break)` for characters that do not print. */
export function describeCharacter(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const named: Record<number, string> = {
    9: 'tab',
    10: 'line break',
    13: 'carriage return',
    32: 'space',
  };
  if (named[codePoint]) return `${hex} (${named[codePoint]})`;
  if (codePoint < 32 || (codePoint >= 0x7f && codePoint < 0xa0))
    return `${hex} (a control character)`;
  return `"${String.fromCodePoint(codePoint)}" (${hex})`;
}

/** Line and column (both from 1) of the character with code-point index `position`. */
function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  let index = 0;
  for (const ch of text) {
    if (index === position) break;
    if (ch === '\n') {
      line++;
      column = 1;
    } else column++;
    index++;
  }
  return { line, column };
}

/** Tokenizer over the given symbols, in the given order (id = index). Each symbol must be a
 * single code point and appear once. */
export function tokenizerFromSymbols(symbols: readonly string[]): Result<Tokenizer> {
  if (symbols.length === 0)
    return {
      ok: false,
      message: 'The vocabulary is empty; a tokenizer needs at least one character.',
    };
  const ids = new Map<number, number>();
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    const cp = s.codePointAt(0);
    if (cp === undefined || String.fromCodePoint(cp) !== s) {
      return {
        ok: false,
        message: `Vocabulary entry ${i} is ${JSON.stringify(s)}; each entry must be exactly one character.`,
      };
    }
    if (ids.has(cp))
      return {
        ok: false,
        message: `The character ${describeCharacter(cp)} appears twice in the vocabulary (entries ${ids.get(cp)} and ${i}); list each character once.`,
      };
    ids.set(cp, i);
  }
  const frozen = Object.freeze([...symbols]);
  const V = frozen.length;

  const tryEncode = (text: string): Result<Int32Array> => {
    const out = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i) as number;
      if (cp > 0xffff) i++; // the low surrogate belongs to this character
      const id = ids.get(cp);
      if (id === undefined) {
        const { line, column } = lineAndColumn(text, n);
        return {
          ok: false,
          message:
            `The character ${describeCharacter(cp)} at position ${n} (line ${line}, column ${column}) is not in ` +
            `the vocabulary of ${V} characters; remove it or build the vocabulary from a text that contains it.`,
        };
      }
      out[n++] = id;
    }
    return { ok: true, value: n === out.length ? out : out.slice(0, n) };
  };

  const tryDecode = (tokens: ArrayLike<number>): Result<string> => {
    const parts: string[] = new Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i];
      if (!(Number.isInteger(id) && id >= 0 && id < V)) {
        return {
          ok: false,
          message: `Token ${id} at position ${i} is not an id of this vocabulary (ids run from 0 to ${V - 1}).`,
        };
      }
      parts[i] = frozen[id];
    }
    return { ok: true, value: parts.join('') };
  };

  const unwrap = <T>(r: Result<T>): T => {
    if (!r.ok) throw new RangeError(r.message);
    return r.value;
  };

  return {
    ok: true,
    value: {
      vocab: V,
      symbols: frozen,
      tryEncode,
      tryDecode,
      encode: (text) => unwrap(tryEncode(text)),
      decode: (tokens) => unwrap(tryDecode(tokens)),
    },
  };
}

/** The sorted distinct characters of a text, by code point. */
export function distinctCharacters(text: string): string[] {
  const seen = new Set<number>();
  for (const ch of text) seen.add(ch.codePointAt(0) as number);
  return [...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
}

/** Tokenizer whose vocabulary is every character of `text` (65 for Tiny Shakespeare). */
export function tokenizerFromText(text: string): Result<Tokenizer> {
  if (text.length === 0)
    return {
      ok: false,
      message: 'The text is empty, so it gives no characters to build a vocabulary from.',
    };
  return tokenizerFromSymbols(distinctCharacters(text));
}
