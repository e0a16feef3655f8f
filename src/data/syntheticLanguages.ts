/**
 * Four sub-languages over disjoint alphabets, each with a grammar a small model can learn, so a
 * router that sends each language to its own experts shows up in the expert-load chart. A
 * sequence is its language's tag character, a body, and the shared separator '\n'.
 */
import { random32 } from '../numerics';
import type { LanguageInfo } from './types';

/** Ends every sequence; the one character all languages share. */
export const SEPARATOR = '\n';

/** Counter-based draws for one sequence: draw i is random32(key, i). */
export class Draws {
  readonly #key: number;
  #counter = 0;
  constructor(key: number) {
    this.#key = key >>> 0;
  }
  /** Uniform whole number in [lo, hi] (the modulo bias is below (hi - lo + 1) / 2^32). */
  between(lo: number, hi: number): number {
    return lo + (random32(this.#key, this.#counter++) % (hi - lo + 1));
  }
  pick(chars: string): string {
    return chars[this.between(0, chars.length - 1)];
  }
}

export interface SyntheticLanguage extends LanguageInfo {
  /** First character of each of its sequences (part of alphabet). */
  readonly tag: string;
  /** The body that follows the tag, without the separator. */
  generate(draws: Draws): string;
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const OPENERS = '([{<';
const CLOSERS = ')]}>';

/** 3 to 7 numbers in an arithmetic progression with step 1 to 3, from a start in 0 .. 999. */
function counting(d: Draws): string {
  const start = d.between(0, 999);
  const step = d.between(1, 3);
  const terms = d.between(3, 7);
  return Array.from({ length: terms }, (_, i) => String(start + i * step)).join(' ');
}

/** A unit of 2 to 4 random letters written 3 to 5 times in a row. */
function repeats(d: Draws): string {
  const unitLength = d.between(2, 4);
  let unit = '';
  for (let i = 0; i < unitLength; i++) unit += d.pick(LOWER);
  return unit.repeat(d.between(3, 5));
}

/** 2 to 8 balanced pairs of ( [ { <, properly nested, at most 5 deep. */
function brackets(d: Draws): string {
  const maxDepth = 5;
  let toOpen = d.between(2, 8);
  const stack: number[] = [];
  let out = '';
  while (toOpen > 0 || stack.length > 0) {
    const canOpen = toOpen > 0 && stack.length < maxDepth;
    if (canOpen && (stack.length === 0 || d.between(0, 1) === 0)) {
      const kind = d.between(0, OPENERS.length - 1);
      stack.push(kind);
      out += OPENERS[kind];
      toOpen--;
    } else out += CLOSERS[stack.pop() as number];
  }
  return out;
}

/** A word of 2 to 8 capitals, a bar, and the word reversed. */
function mirror(d: Draws): string {
  let word = '';
  for (let i = 0, n = d.between(2, 8); i < n; i++) word += d.pick(UPPER);
  return `${word}|${[...word].reverse().join('')}`;
}

export const SYNTHETIC_LANGUAGES: readonly SyntheticLanguage[] = [
  {
    id: 0,
    name: 'Counting',
    tag: '#',
    alphabet: `#${DIGITS} `,
    description:
      'Numbers that go up by a fixed step of 1, 2 or 3, e.g. "#17 19 21 23": the next number follows from the last two.',
    generate: counting,
  },
  {
    id: 1,
    name: 'Repeats',
    tag: '*',
    alphabet: `*${LOWER}`,
    description:
      'A short unit of lowercase letters repeated 3 to 5 times, e.g. "*kqwkqwkqw": after the first unit, every letter is predictable.',
    generate: repeats,
  },
  {
    id: 2,
    name: 'Brackets',
    tag: '=',
    alphabet: `=${OPENERS}${CLOSERS}`,
    description:
      'Balanced, properly nested brackets of four kinds, e.g. "=([]{<>})": each closer must match the last unclosed opener.',
    generate: brackets,
  },
  {
    id: 3,
    name: 'Mirror',
    tag: '@',
    alphabet: `@${UPPER}|`,
    description:
      'A word in capitals, a bar, then the word reversed, e.g. "@KEYS|SYEK": after the bar, every letter is determined.',
    generate: mirror,
  },
];
