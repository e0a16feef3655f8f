/**
 * Named views into one flat GPU buffer (llm.c's single parameter allocation) for kernels that bind
 * whole tensors. A TensorView is a Tensor whose elements start `byteOffset` bytes into its buffer;
 * the kernels index from their binding's start, so the view is bound with that offset and size.
 *
 * WebGPU binds storage buffers at offsets that are multiples of minStorageBufferOffsetAlignment
 * (256 bytes by default), so flat layouts align every tensor to VIEW_ALIGN elements (layout.ts):
 * 512 bytes of f32 and 256 bytes of 16-bit values, the same element offsets in either format.
 *
 * The engine binds a Bindable with a byteOffset to its range (kernel.ts), so any compiled kernel
 * takes a view as it takes a whole tensor.
 */
import type { Tensor } from '../../gpu';

/** Elements every view starts at a multiple of (see the header). */
export const VIEW_ALIGN = 128;

export interface TensorView extends Tensor {
  /** Bytes from the buffer's start to element 0 (a multiple of the offset alignment). */
  readonly byteOffset: number;
}

export function isView(x: unknown): x is TensorView {
  return typeof x === 'object' && x !== null && 'byteOffset' in x && 'buffer' in x;
}

/** A view of `size` elements of `flat` starting at element `offset` (a multiple of VIEW_ALIGN). */
export function viewOf(
  flat: Tensor,
  offset: number,
  size: number,
  shape: readonly number[],
  label: string,
): TensorView {
  if (offset % VIEW_ALIGN !== 0) {
    throw new Error(
      `View "${label}" of "${flat.label}" starts at element ${offset}, not a multiple of ${VIEW_ALIGN}: the flat layout must align every tensor.`,
    );
  }
  const lanes = 32 / bitsOf(flat.storage);
  const byteOffset = (offset / lanes) * 4;
  const byteLength = Math.max(1, Math.ceil(size / lanes)) * 4;
  if (byteOffset + byteLength > flat.byteLength) {
    throw new Error(
      `View "${label}" (elements ${offset} .. ${offset + size - 1}) runs past "${flat.label}" (${flat.size} elements).`,
    );
  }
  return {
    shape: [...shape],
    size,
    storage: flat.storage,
    buffer: flat.buffer,
    byteLength,
    byteOffset,
    label,
    category: flat.category,
  };
}

function bitsOf(storage: Tensor['storage']): number {
  return storage === 'fp32' ? 32 : storage === 'fp16' || storage === 'bf16' ? 16 : 8;
}
