/**
 * An append-only column of numbers in fixed-size typed-array chunks (Float64Array unless asked
 * otherwise; the frame archive keeps bytes and Uint32s): appending never copies what is already
 * there (a run of 100k steps is 25 chunks per metric), and reads are O(1) by index.
 */
const CHUNK = 4096;

type Chunk = Float64Array | Uint32Array | Uint8Array;
type ChunkType = new (length: number) => Chunk;

export class ChunkedArray {
  readonly #type: ChunkType;
  /** Elements per chunk, a power of two. */
  readonly #size: number;
  #chunks: Chunk[] = [];
  #length = 0;

  /** `size` is rounded up to a power of two. A value pushed must fit the type (Uint8Array: 0..255). */
  constructor(type: ChunkType = Float64Array, size = CHUNK) {
    this.#type = type;
    this.#size = 2 ** Math.max(0, Math.ceil(Math.log2(size)));
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    const offset = this.#length % this.#size;
    if (offset === 0) this.#chunks.push(new this.#type(this.#size));
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
    this.#chunks.length = Math.ceil(n / this.#size);
    this.#length = n;
  }

  get(i: number): number {
    if (i < 0 || i >= this.#length) return NaN;
    return this.#chunks[Math.floor(i / this.#size)][i % this.#size];
  }

  last(): number {
    return this.get(this.#length - 1);
  }

  /** A copy of the whole column. */
  toArray(): Float64Array {
    const out = new Float64Array(this.#length);
    for (let c = 0; c < this.#chunks.length; c++) {
      const start = c * this.#size;
      out.set(this.#chunks[c].subarray(0, Math.min(this.#size, this.#length - start)), start);
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
