/**
 * An append-only column of numbers in fixed-size Float64Array chunks: appending never copies what
 * is already there (a run of 100k steps is 25 chunks per metric), and reads are O(1) by index.
 */
const CHUNK = 4096;

export class ChunkedArray {
  #chunks: Float64Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    const offset = this.#length % CHUNK;
    if (offset === 0) this.#chunks.push(new Float64Array(CHUNK));
    this.#chunks[this.#chunks.length - 1][offset] = value;
    this.#length++;
  }

  /** Appends `count` copies of value (NaN backfills a metric that appears mid-run). */
  fill(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.push(value);
  }

  /** Keeps the first `length` elements (a resumed run drops the steps it lost). */
  truncate(length: number): void {
    const n = Math.max(0, Math.min(this.#length, Math.floor(length)));
    this.#chunks.length = Math.ceil(n / CHUNK);
    this.#length = n;
  }

  get(i: number): number {
    if (i < 0 || i >= this.#length) return NaN;
    return this.#chunks[Math.floor(i / CHUNK)][i % CHUNK];
  }

  last(): number {
    return this.get(this.#length - 1);
  }

  /** A copy of the whole column. */
  toArray(): Float64Array {
    const out = new Float64Array(this.#length);
    for (let c = 0; c < this.#chunks.length; c++) {
      const start = c * CHUNK;
      out.set(this.#chunks[c].subarray(0, Math.min(CHUNK, this.#length - start)), start);
    }
    return out;
  }

  /** Index of the last element <= value in an ascending column, or -1 (binary search). */
  floorIndex(value: number): number {
    let lo = 0;
    let hi = this.#length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.get(mid) <= value) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
