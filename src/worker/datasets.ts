/**
 * Datasets opened inside the worker, kept while the worker lives: Tiny Shakespeare is fetched
 * once; the synthetic text, generated from the run's data seed, once per seed.
 */
import {
  openDataset,
  type CorpusSource,
  type Dataset,
  type DatasetName,
  type Result,
} from '../data';

const isU32 = (x: unknown): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;

export class DatasetCache {
  readonly #source: CorpusSource;
  readonly #open = new Map<string, Promise<Result<Dataset>>>();

  constructor(source: CorpusSource = {}) {
    this.#source = source;
  }

  /**
   * The named dataset. The batch shape is left to the trainer's validation (validateRun says
   * which of B, T does not fit the text); an unusable seed opens the text with seed 0 and is
   * likewise reported by the validation.
   */
  open(name: DatasetName, dataSeed: number): Promise<Result<Dataset>> {
    const seed = isU32(dataSeed) ? dataSeed : 0;
    const key = name === 'synthetic' ? `synthetic:${seed}` : String(name);
    let pending = this.#open.get(key);
    if (!pending) {
      pending = openDataset(
        { dataset: name, batch: 1, context: 1, seed, heldoutBatches: 1 },
        this.#source,
      );
      this.#open.set(key, pending);
      // A failed load (e.g. the network) is tried again on the next configure.
      void pending.then((r) => {
        if (!r.ok) this.#open.delete(key);
      });
    }
    return pending;
  }
}
