/**
 * The synthetic task: a stream of sequences, each in one of SYNTHETIC_LANGUAGES chosen uniformly,
 * generated from a seed. Sequence i is a pure function of (seed, i): its language comes from
 * random32(languageKey, i) and its body from Draws(random32(bodyKey, i)). The stream is cut into
 * train / held-out at the first sequence boundary at or after 90% of its length, so both splits
 * hold whole sequences.
 */
import { random32 } from '../numerics';
import { seedError } from './batches';
import { makeDataset, trainLength } from './dataset';
import { SEPARATOR, SYNTHETIC_LANGUAGES, Draws } from './syntheticLanguages';
import { tokenizerFromSymbols } from './tokenizer';
import type { Dataset, Result } from './types';

export interface SyntheticOptions {
  /** u32 seed of the generated text (the batch seed is separate). */
  seed: number;
  /** Characters to generate, rounded up to a whole sequence; default DEFAULT_SYNTHETIC_LENGTH. */
  length?: number;
}

export const DEFAULT_SYNTHETIC_LENGTH = 200_000;
export const MIN_SYNTHETIC_LENGTH = 1_000;
export const MAX_SYNTHETIC_LENGTH = 10_000_000;

const LANGUAGE_SALT = 0x6c61_6e67;
const BODY_SALT = 0x626f_6479;

export interface SyntheticText {
  text: string;
  /** Language id of each character (code unit; all characters here are single code units). */
  languages: Uint8Array;
  /** Start of every sequence, ascending. */
  sequenceStarts: Int32Array;
  /** Characters in the training split: a sequence start. */
  trainEnd: number;
}

export function syntheticOptionsError(o: SyntheticOptions): string | null {
  const seed = seedError(o.seed, 'synthetic text seed');
  if (seed) return seed;
  const length = o.length ?? DEFAULT_SYNTHETIC_LENGTH;
  if (!(
    Number.isInteger(length) &&
    length >= MIN_SYNTHETIC_LENGTH &&
    length <= MAX_SYNTHETIC_LENGTH
  )) {
    return `The synthetic text length is ${length}; it must be a whole number of characters from ${MIN_SYNTHETIC_LENGTH} to ${MAX_SYNTHETIC_LENGTH}.`;
  }
  return null;
}

/** The generated stream. Options must have passed syntheticOptionsError. */
export function generateSynthetic(o: SyntheticOptions): SyntheticText {
  const target = o.length ?? DEFAULT_SYNTHETIC_LENGTH;
  const languageKey = random32(o.seed >>> 0, LANGUAGE_SALT);
  const bodyKey = random32(o.seed >>> 0, BODY_SALT);
  const E = SYNTHETIC_LANGUAGES.length;
  const parts: string[] = [];
  const ids: number[] = [];
  const starts: number[] = [];
  let length = 0;
  for (let i = 0; length < target; i++) {
    const language = SYNTHETIC_LANGUAGES[random32(languageKey, i) % E];
    const sequence = `${language.tag}${language.generate(new Draws(random32(bodyKey, i)))}${SEPARATOR}`;
    parts.push(sequence);
    ids.push(language.id);
    starts.push(length);
    length += sequence.length;
  }
  const languages = new Uint8Array(length);
  for (let s = 0; s < starts.length; s++)
    languages.fill(ids[s], starts[s], s + 1 < starts.length ? starts[s + 1] : length);
  const cut = trainLength(length);
  const trainEnd = starts.find((start) => start >= cut) ?? cut;
  return { text: parts.join(''), languages, sequenceStarts: Int32Array.from(starts), trainEnd };
}

export const SYNTHETIC_DESCRIPTION =
  'Four made-up languages with their own characters, each sequence tagged by its first character: ' +
  SYNTHETIC_LANGUAGES.map((l) => `${l.name} (${l.tag})`).join(', ') +
  '. Each follows a simple rule, so the loss drops quickly, and a router that gives each language its own experts shows it in the expert load.';

/** The synthetic task as a Dataset; its vocabulary is the union of the alphabets and the separator. */
export function syntheticDataset(o: SyntheticOptions): Result<Dataset> {
  const error = syntheticOptionsError(o);
  if (error) return { ok: false, message: error };
  const symbols = new Set<string>([SEPARATOR]);
  for (const language of SYNTHETIC_LANGUAGES) for (const ch of language.alphabet) symbols.add(ch);
  const tokenizer = tokenizerFromSymbols(
    [...symbols].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number)),
  );
  if (!tokenizer.ok) return tokenizer;
  const generated = generateSynthetic(o);
  return {
    ok: true,
    value: makeDataset({
      name: 'synthetic',
      description: SYNTHETIC_DESCRIPTION,
      tokenizer: tokenizer.value,
      languages: SYNTHETIC_LANGUAGES.map(({ id, name, alphabet, description }) => ({
        id,
        name,
        alphabet,
        description,
      })),
      tokens: tokenizer.value.encode(generated.text),
      tokenLanguages: generated.languages,
      trainEnd: generated.trainEnd,
    }),
  };
}
