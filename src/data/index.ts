/**
 * The data layer: corpus loading, character tokenizer, 90/10 split, seeded batches as a pure
 * function of (seed, split, step), and the synthetic sub-language task. Pure TypeScript; imports
 * only src/numerics. Every dataset is a Dataset (types.ts).
 */
export type {
  Batch,
  BatchOptions,
  Dataset,
  HeldoutOptions,
  LanguageInfo,
  Result,
  Split,
  Tokenizer,
} from './types';
export { SPLITS } from './types';
export {
  describeCharacter,
  distinctCharacters,
  tokenizerFromSymbols,
  tokenizerFromText,
} from './tokenizer';
export type { Corpus, CorpusSource, FetchText } from './corpus';
export { CORPUS_FILE, HttpError, defaultCorpusUrl, fetchTextOverHttp, loadCorpus } from './corpus';
export {
  MAX_BATCH_TOKENS,
  batchOptionsError,
  batchShapeError,
  seedError,
  splitKey,
  windowOffset,
} from './batches';
export type { DatasetParts, TextDatasetInfo } from './dataset';
export {
  MAX_HELDOUT_BATCHES,
  SHAKESPEARE_DESCRIPTION,
  TRAIN_FRACTION,
  heldoutOptionsError,
  makeDataset,
  shakespeareDataset,
  textDataset,
  trainLength,
} from './dataset';
export type { SyntheticLanguage } from './syntheticLanguages';
export { SEPARATOR, SYNTHETIC_LANGUAGES } from './syntheticLanguages';
export type { SyntheticOptions, SyntheticText } from './synthetic';
export {
  DEFAULT_SYNTHETIC_LENGTH,
  MAX_SYNTHETIC_LENGTH,
  MIN_SYNTHETIC_LENGTH,
  SYNTHETIC_DESCRIPTION,
  generateSynthetic,
  syntheticDataset,
  syntheticOptionsError,
} from './synthetic';
export type { DataOptions, DatasetName } from './options';
export {
  DATASET_NAMES,
  DEFAULT_DATA_OPTIONS,
  dataOptionsError,
  isDatasetName,
  openDataset,
} from './options';
