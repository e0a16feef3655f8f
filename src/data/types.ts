/**
 * The shapes every dataset shares, so the training loop treats Tiny Shakespeare and the synthetic
 * sub-languages alike. Shape letters: B batch, T context (time), V vocabulary size.
 */

/** A value or the sentence that says why there is none. */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };

/** First 90% of the token stream is `train`, the rest `heldout` (nanoGPT's shakespeare_char). */
export type Split = 'train' | 'heldout';
export const SPLITS: readonly Split[] = ['train', 'heldout'];

export interface Tokenizer {
  /** V: number of distinct symbols; ids run 0 .. V - 1. */
  readonly vocab: number;
  /** id -> symbol (one Unicode character), sorted by code point. */
  readonly symbols: readonly string[];
  /** One id per character, or a sentence naming the first unknown character and its position. */
  tryEncode(text: string): Result<Int32Array>;
  /** Characters for ids, or a sentence naming the first id outside 0 .. V - 1 and its position. */
  tryDecode(ids: ArrayLike<number>): Result<string>;
  /** tryEncode that throws a RangeError carrying the sentence. */
  encode(text: string): Int32Array;
  /** tryDecode that throws a RangeError carrying the sentence. */
  decode(ids: ArrayLike<number>): string;
}

/** One sub-language of a dataset (Tiny Shakespeare has a single one). */
export interface LanguageInfo {
  /** Index used in Batch.languages. */
  readonly id: number;
  readonly name: string;
  /** The characters this language writes, not counting a separator shared by all languages. */
  readonly alphabet: string;
  /** What the language looks like, with an example, for the person watching the run. */
  readonly description: string;
}

export interface BatchOptions {
  /** B: windows per batch. */
  batch: number;
  /** T: tokens per window. */
  context: number;
  /** u32 seed; every lane passes the same one and so gets the same batches. */
  seed: number;
  /** Training step (or evaluation batch index); window b of step s draws counter s * B + b. */
  step: number;
}

export interface HeldoutOptions {
  batch: number;
  context: number;
  seed: number;
  /** How many fixed evaluation batches. */
  count: number;
}

/** B windows of T tokens, row-major [B, T]. */
export interface Batch {
  readonly batch: number;
  readonly context: number;
  /** [B, T] token ids: split[offset_b + t]. */
  readonly inputs: Int32Array;
  /** [B, T] the next token: split[offset_b + t + 1]. */
  readonly targets: Int32Array;
  /** [B, T] language id of each input position (all 0 for a single-language corpus). */
  readonly languages: Uint8Array;
  /** [B] window starts, counted in tokens from the beginning of the split. */
  readonly offsets: Int32Array;
}

export interface Dataset {
  /** Short identifier, e.g. 'shakespeare' or 'synthetic'. */
  readonly name: string;
  /** A sentence or two for the person: what the text is and what to expect from training. */
  readonly description: string;
  /** V, the same as tokenizer.vocab. */
  readonly vocab: number;
  readonly tokenizer: Tokenizer;
  /** Sub-languages, indexed by the ids in Batch.languages. */
  readonly languages: readonly LanguageInfo[];
  /** Tokens in a split. */
  splitLength(split: Split): number;
  /** The split's token ids (a view; do not write to it). */
  splitTokens(split: Split): Int32Array;
  /** The split's per-token language ids (a view; do not write to it). */
  splitLanguages(split: Split): Uint8Array;
  /** A sentence saying why batchAt would refuse these options, or null. */
  batchError(split: Split, options: BatchOptions): string | null;
  /** Pure function of (split, B, T, seed, step); throws a RangeError with batchError's sentence. */
  batchAt(split: Split, options: BatchOptions): Batch;
  /** The fixed evaluation set: held-out batches for steps 0 .. count - 1 of the held-out key. */
  heldoutBatches(options: HeldoutOptions): Batch[];
}
