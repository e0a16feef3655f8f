/**
 * The data settings of a run (what the lab config and the URL carry) and their validation, plus
 * opening the named dataset.
 */
import { batchOptionsError, batchShapeError, seedError } from './batches';
import { loadCorpus, type CorpusSource } from './corpus';
import { MAX_HELDOUT_BATCHES, shakespeareDataset } from './dataset';
import { syntheticDataset, syntheticOptionsError } from './synthetic';
import type { Dataset, Result } from './types';

export const DATASET_NAMES = ['shakespeare', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(value: unknown): value is DatasetName {
  return typeof value === 'string' && (DATASET_NAMES as readonly string[]).includes(value);
}

export interface DataOptions {
  dataset: DatasetName;
  /** B */
  batch: number;
  /** T */
  context: number;
  /** u32 seed of the batches (and of the synthetic text). */
  seed: number;
  /** Fixed held-out batches per evaluation. */
  heldoutBatches: number;
  /** Characters of synthetic text; ignored for shakespeare. */
  syntheticLength?: number;
}

export const DEFAULT_DATA_OPTIONS: Readonly<DataOptions> = {
  dataset: 'shakespeare',
  batch: 32,
  context: 64,
  seed: 1337,
  heldoutBatches: 8,
};

/** A sentence naming the first unusable field, or null. With `dataset` (the opened one) T is also
 * checked against both split lengths. */
export function dataOptionsError(o: DataOptions, dataset?: Dataset): string | null {
  if (!isDatasetName(o.dataset)) {
    return `The dataset is "${String(o.dataset)}"; choose one of ${DATASET_NAMES.map((n) => `"${n}"`).join(' or ')}.`;
  }
  const shape = batchShapeError(o.batch, o.context);
  if (shape) return shape;
  const seed = seedError(o.seed);
  if (seed) return seed;
  if (!(
    Number.isInteger(o.heldoutBatches) &&
    o.heldoutBatches >= 1 &&
    o.heldoutBatches <= MAX_HELDOUT_BATCHES
  )) {
    return `The held-out batch count is ${o.heldoutBatches}; it must be a whole number from 1 to ${MAX_HELDOUT_BATCHES}.`;
  }
  if (o.dataset === 'synthetic') {
    const synthetic = syntheticOptionsError({ seed: o.seed, length: o.syntheticLength });
    if (synthetic) return synthetic;
  }
  if (dataset) {
    for (const split of ['train', 'heldout'] as const) {
      const error = batchOptionsError(
        split,
        { batch: o.batch, context: o.context, seed: o.seed, step: 0 },
        dataset.splitLength(split),
      );
      if (error) return error;
    }
  }
  return null;
}

/** Opens the named dataset: fetches the corpus for shakespeare, generates the synthetic text. */
export async function openDataset(
  o: DataOptions,
  source: CorpusSource = {},
): Promise<Result<Dataset>> {
  const error = dataOptionsError(o);
  if (error) return { ok: false, message: error };
  let opened: Result<Dataset>;
  if (o.dataset === 'synthetic')
    opened = syntheticDataset({ seed: o.seed, length: o.syntheticLength });
  else {
    const corpus = await loadCorpus(source);
    if (!corpus.ok) return corpus;
    opened = shakespeareDataset(corpus.value.text);
  }
  if (!opened.ok) return opened;
  const fit = dataOptionsError(o, opened.value);
  return fit ? { ok: false, message: fit } : opened;
}
