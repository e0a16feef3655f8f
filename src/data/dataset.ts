/**
 * One Dataset implementation over a token stream: split, batches and the held-out evaluation set.
 * textDataset (Tiny Shakespeare) and syntheticDataset build the stream and call makeDataset.
 */
import { batchOptionsError, gatherBatch } from './batches';
import { tokenizerFromText } from './tokenizer';
import type {
  Batch,
  BatchOptions,
  Dataset,
  HeldoutOptions,
  LanguageInfo,
  Result,
  Split,
  Tokenizer,
} from './types';

/** Fraction of the stream that is training text; the rest is held out. */
export const TRAIN_FRACTION = 0.9;
/** Most fixed held-out batches one evaluation may ask for. */
export const MAX_HELDOUT_BATCHES = 1000;

/** Tokens in the training split of a stream of n: Python's int(n * 0.9), as nanoGPT's
 * shakespeare_char/prepare.py (1,003,854 train and 111,540 held-out for Tiny Shakespeare). */
export function trainLength(n: number): number {
  return Math.floor(n * TRAIN_FRACTION);
}

export interface DatasetParts {
  name: string;
  description: string;
  tokenizer: Tokenizer;
  languages: readonly LanguageInfo[];
  /** The whole stream of token ids; train is [0, trainEnd), held-out [trainEnd, n). */
  tokens: Int32Array;
  /** Language id per token, same length as tokens. */
  tokenLanguages: Uint8Array;
  trainEnd: number;
}

export function heldoutOptionsError(o: HeldoutOptions, heldoutLength: number): string | null {
  if (!(Number.isInteger(o.count) && o.count >= 1 && o.count <= MAX_HELDOUT_BATCHES)) {
    return `The held-out batch count is ${o.count}; it must be a whole number from 1 to ${MAX_HELDOUT_BATCHES}.`;
  }
  return batchOptionsError('heldout', { ...o, step: o.count - 1 }, heldoutLength);
}

export function makeDataset(parts: DatasetParts): Dataset {
  const { tokens, tokenLanguages, trainEnd } = parts;
  const views: Record<Split, { tokens: Int32Array; languages: Uint8Array }> = {
    train: {
      tokens: tokens.subarray(0, trainEnd),
      languages: tokenLanguages.subarray(0, trainEnd),
    },
    heldout: { tokens: tokens.subarray(trainEnd), languages: tokenLanguages.subarray(trainEnd) },
  };
  const batchError = (split: Split, o: BatchOptions) =>
    batchOptionsError(split, o, views[split].tokens.length);
  const batchAt = (split: Split, o: BatchOptions): Batch => {
    const error = batchError(split, o);
    if (error) throw new RangeError(error);
    return gatherBatch(views[split].tokens, views[split].languages, split, o);
  };
  return {
    name: parts.name,
    description: parts.description,
    vocab: parts.tokenizer.vocab,
    tokenizer: parts.tokenizer,
    languages: parts.languages,
    splitLength: (split) => views[split].tokens.length,
    splitTokens: (split) => views[split].tokens,
    splitLanguages: (split) => views[split].languages,
    batchError,
    batchAt,
    heldoutBatches: (o) => {
      const error = heldoutOptionsError(o, views.heldout.tokens.length);
      if (error) throw new RangeError(error);
      return Array.from({ length: o.count }, (_, step) =>
        gatherBatch(views.heldout.tokens, views.heldout.languages, 'heldout', { ...o, step }),
      );
    },
  };
}

export interface TextDatasetInfo {
  name: string;
  description: string;
  /** Name of the single language, e.g. 'Shakespeare'. */
  languageName: string;
}

/** A character-level dataset from a text: vocabulary from the whole text (as nanoGPT), first 90%
 * train, last 10% held out. */
export function textDataset(text: string, info: TextDatasetInfo): Result<Dataset> {
  const tokenizer = tokenizerFromText(text);
  if (!tokenizer.ok)
    return { ok: false, message: `The ${info.name} text cannot be used: ${tokenizer.message}` };
  const tokens = tokenizer.value.encode(text);
  const trainEnd = trainLength(tokens.length);
  if (tokens.length - trainEnd < 2) {
    return {
      ok: false,
      message: `The ${info.name} text has only ${tokens.length} characters, which leaves fewer than 2 for the held-out split; use a text of at least 20 characters.`,
    };
  }
  const language: LanguageInfo = {
    id: 0,
    name: info.languageName,
    alphabet: tokenizer.value.symbols.join(''),
    description: info.description,
  };
  return {
    ok: true,
    value: makeDataset({
      name: info.name,
      description: info.description,
      tokenizer: tokenizer.value,
      languages: [language],
      tokens,
      tokenLanguages: new Uint8Array(tokens.length),
      trainEnd,
    }),
  };
}

export const SHAKESPEARE_DESCRIPTION =
  'Tiny Shakespeare: about 1.1 million characters of plays (public domain), read one character at a ' +
  'time from a vocabulary of 65. The loss starts near ln 65 ≈ 4.17 and falls as the model learns spelling, then words.';

export function shakespeareDataset(text: string): Result<Dataset> {
  return textDataset(text, {
    name: 'shakespeare',
    description: SHAKESPEARE_DESCRIPTION,
    languageName: 'Shakespeare',
  });
}
