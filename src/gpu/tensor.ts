/**
 * Tensors on the GPU: a shape, a storage format and a buffer of packed u32 words (fp16/bf16 two
 * per word, fp8 four, see packing.ts), so memory figures are real. Buffers come from a pool that
 * allocates once, reuses released buffers of the same size and usage, and counts bytes per
 * category (weights, activations, ...) for memory charts.
 *
 * Read-back is explicit and async (readTensor / readBuffer); nothing inside an op reads back.
 */
import type { FormatName } from '../numerics';
import { decodeWords, encodeWords, storageByteLength, unpackBits } from './packing';

export interface Tensor {
  /** Logical shape, e.g. (B, T, C); the element count is their product. */
  readonly shape: readonly number[];
  readonly size: number;
  readonly storage: FormatName;
  readonly buffer: GPUBuffer;
  /** Bytes of the buffer: whole u32 words. */
  readonly byteLength: number;
  readonly label: string;
  readonly category: string;
}

/** STORAGE | COPY_SRC | COPY_DST, as the WebGPU spec's numbers: GPUBufferUsage does not exist outside
 * browsers, and this module must import in Node tests. */
export const DEFAULT_USAGE: GPUBufferUsageFlags = 0x80 | 0x04 | 0x08;

export interface BufferRequest {
  label: string;
  byteLength: number;
  /** Memory-chart bucket, e.g. 'weights', 'activations', 'optimizer', 'counters', 'staging'. */
  category: string;
  usage?: GPUBufferUsageFlags;
}

export interface CategoryBytes {
  category: string;
  /** Bytes of live GPU buffers created for this category (in use or pooled). */
  allocated: number;
  /** Bytes currently handed out. */
  inUse: number;
}

interface PoolEntry {
  category: string;
  byteLength: number;
  usage: GPUBufferUsageFlags;
  inUse: boolean;
}

/**
 * Allocates GPU buffers once and hands released ones out again for requests of the same byte
 * length and usage (training allocates the same set every run, so no heuristics are needed).
 */
export class BufferPool {
  private readonly entries = new Map<GPUBuffer, PoolEntry>();
  private readonly free = new Map<string, GPUBuffer[]>();

  constructor(readonly device: GPUDevice) {}

  acquire(request: BufferRequest): GPUBuffer {
    const usage = request.usage ?? DEFAULT_USAGE;
    const byteLength = Math.max(4, Math.ceil(request.byteLength / 4) * 4);
    const key = `${byteLength}:${usage}`;
    const reused = this.free.get(key)?.pop();
    if (reused) {
      const entry = this.entries.get(reused)!;
      entry.inUse = true;
      entry.category = request.category;
      reused.label = request.label;
      return reused;
    }
    const buffer = this.device.createBuffer({ label: request.label, size: byteLength, usage });
    this.entries.set(buffer, { category: request.category, byteLength, usage, inUse: true });
    return buffer;
  }

  /** Returns a buffer to the pool; it stays allocated for the next request of its size. */
  release(buffer: GPUBuffer): void {
    const entry = this.entries.get(buffer);
    if (!entry || !entry.inUse) return;
    entry.inUse = false;
    const key = `${entry.byteLength}:${entry.usage}`;
    const list = this.free.get(key) ?? [];
    list.push(buffer);
    this.free.set(key, list);
  }

  /** Bytes per category, largest first. */
  bytesByCategory(): CategoryBytes[] {
    const totals = new Map<string, CategoryBytes>();
    for (const e of this.entries.values()) {
      const t = totals.get(e.category) ?? { category: e.category, allocated: 0, inUse: 0 };
      t.allocated += e.byteLength;
      if (e.inUse) t.inUse += e.byteLength;
      totals.set(e.category, t);
    }
    return [...totals.values()].sort((a, b) => b.allocated - a.allocated);
  }

  get totalBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.byteLength;
    return total;
  }

  /** Destroys pooled buffers that are not in use (after a run), keeping the ones handed out. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.entries.delete(buffer);
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  /** Destroys every buffer the pool created. */
  destroy(): void {
    for (const buffer of this.entries.keys()) buffer.destroy();
    this.entries.clear();
    this.free.clear();
  }
}

export interface TensorRequest {
  shape: readonly number[];
  storage: FormatName;
  label: string;
  category: string;
}

export function createTensor(pool: BufferPool, request: TensorRequest): Tensor {
  const size = request.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(size) || size < 0) {
    throw new Error(
      `Tensor "${request.label}" has shape [${request.shape.join(', ')}]: dimensions must be non-negative integers.`,
    );
  }
  const byteLength = storageByteLength(request.storage, size);
  const buffer = pool.acquire({ label: request.label, byteLength, category: request.category });
  return {
    shape: [...request.shape],
    size,
    storage: request.storage,
    buffer,
    byteLength,
    label: request.label,
    category: request.category,
  };
}

export function releaseTensor(pool: BufferPool, tensor: Tensor): void {
  pool.release(tensor.buffer);
}

/** Uploads values (doubles, rounded to the tensor's format on the CPU by numerics `encode`). */
export function writeTensor(device: GPUDevice, tensor: Tensor, values: ArrayLike<number>): void {
  checkLength(tensor, values.length);
  device.queue.writeBuffer(tensor.buffer, 0, encodeWords(tensor.storage, values));
}

/** Uploads already packed words (e.g. exact bit patterns in tests). */
export function writeWords(
  device: GPUDevice,
  buffer: GPUBuffer,
  words: Uint32Array,
  wordOffset = 0,
): void {
  device.queue.writeBuffer(buffer, wordOffset * 4, words);
}

/** Copies `byteLength` bytes of a buffer to the CPU (one staging buffer, mapAsync). */
export async function readBuffer(
  device: GPUDevice,
  buffer: GPUBuffer,
  byteLength = buffer.size,
  offset = 0,
): Promise<Uint32Array> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({
    label: `${buffer.label} (read-back)`,
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder({ label: `read ${buffer.label}` });
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  try {
    await staging.mapAsync(GPUMapMode.READ);
    return new Uint32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}

/** The tensor's packed words, as stored. */
export async function readTensorWords(device: GPUDevice, tensor: Tensor): Promise<Uint32Array> {
  return readBuffer(device, tensor.buffer, tensor.byteLength);
}

/** Per-element bit patterns in the tensor's format (fp16: 0..0xFFFF). */
export async function readTensorBits(device: GPUDevice, tensor: Tensor): Promise<Uint32Array> {
  return unpackBits(tensor.storage, await readTensorWords(device, tensor), tensor.size);
}

/** Exact values (doubles) of the tensor, decoded on the CPU by numerics `decode`. */
export async function readTensor(device: GPUDevice, tensor: Tensor): Promise<Float64Array> {
  return decodeWords(tensor.storage, await readTensorWords(device, tensor), tensor.size);
}

function checkLength(tensor: Tensor, n: number): void {
  if (n !== tensor.size) {
    throw new Error(
      `Tensor "${tensor.label}" holds ${tensor.size} values (shape [${tensor.shape.join(', ')}]) but ${n} were given: pass exactly one value per element.`,
    );
  }
}
