/**
 * Seeded batches as a pure function of (seed, split, step): window b of step s starts at
 *   offset = random32(splitKey(seed, split), s * B + b) mod (N - T)
 * in a split of N tokens, and reads tokens offset .. offset + T (T + 1 of them: inputs and the
 * shifted targets). No state is carried between steps, so every lane gets the same batches and a
 * run resumes at any step. The modulo's bias is below (N - T) / 2^32 (about 2e-4 for Tiny
 * Shakespeare), far under the sampling noise of any training run.
 */
import { random32 } from '../numerics';
import type { Batch, BatchOptions, Split } from './types';

/** Counter-space salts, one per split, so train and held-out windows never share a draw. */
const SPLIT_SALT: Record<Split, number> = { train: 0x7472_6e00, heldout: 0x686c_6400 };

const U32 = 2 ** 32;
/** Largest B * T one batch may hold (16 Mi tokens, 64 MiB per Int32Array). */
export const MAX_BATCH_TOKENS = 2 ** 24;

/** The u32 key for a split's windows: a bijection of the seed for each split. */
export function splitKey(seed: number, split: Split): number {
  return random32(seed >>> 0, SPLIT_SALT[split]);
}

/** Start of window `counter` in a split of `length` tokens with context T. */
export function windowOffset(
  key: number,
  counter: number,
  length: number,
  context: number,
): number {
  return random32(key, counter) % (length - context);
}

const SPLIT_WORDS: Record<Split, string> = { train: 'training split', heldout: 'held-out split' };

function wholeNumberError(
  label: string,
  value: number,
  min: number,
  example: string,
): string | null {
  if (Number.isInteger(value) && value >= min) return null;
  return `The ${label} is ${value}; it must be a whole number of at least ${min} (e.g. ${example}).`;
}

/** Sentence for a seed field, or null. */
export function seedError(seed: number, label = 'seed'): string | null {
  if (Number.isInteger(seed) && seed >= 0 && seed < U32) return null;
  return `The ${label} is ${seed}; it must be a whole number from 0 to ${U32 - 1}.`;
}

/** Sentence for B and T on their own (whole numbers, at most MAX_BATCH_TOKENS together), or null. */
export function batchShapeError(batch: number, context: number): string | null {
  const shape =
    wholeNumberError('batch size B', batch, 1, '32') ??
    wholeNumberError('context length T', context, 1, '64');
  if (shape) return shape;
  if (batch * context > MAX_BATCH_TOKENS) {
    return `The batch holds B × T = ${batch} × ${context} = ${batch * context} tokens; keep it at most ${MAX_BATCH_TOKENS} by lowering the batch size B or the context length T.`;
  }
  return null;
}

/** A sentence naming the field that makes these batch options unusable on a split of `length`
 * tokens, or null. */
export function batchOptionsError(split: Split, o: BatchOptions, length: number): string | null {
  const shape = batchShapeError(o.batch, o.context);
  if (shape) return shape;
  if (o.context >= length) {
    return `The context length T is ${o.context} but the ${SPLIT_WORDS[split]} has only ${length} tokens; T must be smaller than the split, since each window reads T + 1 tokens.`;
  }
  const seed = seedError(o.seed);
  if (seed) return seed;
  if (!(Number.isInteger(o.step) && o.step >= 0))
    return `The step is ${o.step}; it must be a whole number, 0 or more.`;
  const maxStep = Math.floor((U32 - o.batch) / o.batch);
  if (o.step > maxStep) {
    return `The step is ${o.step}; with batch size B = ${o.batch} it must be at most ${maxStep}, so that every window draws its own random number.`;
  }
  return null;
}

/** Gathers a batch from a split's tokens (and per-token language ids). Options must have passed
 * batchOptionsError. */
export function gatherBatch(
  tokens: Int32Array,
  languages: Uint8Array,
  split: Split,
  o: BatchOptions,
): Batch {
  const { batch: B, context: T } = o;
  const key = splitKey(o.seed, split);
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const langs = new Uint8Array(B * T);
  const offsets = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const offset = windowOffset(key, o.step * B + b, tokens.length, T);
    offsets[b] = offset;
    inputs.set(tokens.subarray(offset, offset + T), b * T);
    targets.set(tokens.subarray(offset + 1, offset + T + 1), b * T);
    langs.set(languages.subarray(offset, offset + T), b * T);
  }
  return { batch: B, context: T, inputs, targets, languages: langs, offsets };
}
