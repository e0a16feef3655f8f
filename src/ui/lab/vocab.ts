/**
 * The vocabulary size of a dataset, which the model config must carry (the worker checks it
 * against the dataset it opens). Opened once per dataset (and seed, for the synthetic text).
 */
import { openDataset, type DatasetName, type Result } from '../../data';

const cache = new Map<string, Promise<Result<number>>>();

export function vocabOf(dataset: DatasetName, seed: number): Promise<Result<number>> {
  const key = dataset === 'synthetic' ? `synthetic:${seed}` : dataset;
  let pending = cache.get(key);
  if (!pending) {
    pending = openDataset({ dataset, batch: 1, context: 1, seed, heldoutBatches: 1 }).then((r) =>
      r.ok ? { ok: true as const, value: r.value.vocab } : r,
    );
    cache.set(key, pending);
    void pending.then((r) => {
      if (!r.ok) cache.delete(key);
    });
  }
  return pending;
}
