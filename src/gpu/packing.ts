/**
 * Packed storage on the CPU side: how values of a storage format sit in u32 words, and the
 * encode-and-pack / unpack-and-decode used for uploads and explicit read-backs.
 *
 * Layout (little end first): element k of word w is element w * L + k, in bits [k * b, (k + 1) * b)
 * for b-bit elements, L = 32 / b lanes. fp16/bf16: element 2i in the low half of word i, 2i+1 in
 * the high half; fp8: four per word. Unused lanes of the last word are zero.
 */
import { FORMATS, decode, encode, type FormatName } from '../numerics';
import { lanesPerWord } from './kernels/formatWgsl';

export { lanesPerWord };

/** Number of u32 words holding n elements (at least one, so no buffer is empty). */
export function wordCount(storage: FormatName, n: number): number {
  return Math.max(1, Math.ceil(n / lanesPerWord(storage)));
}

/** Bytes of GPU storage for n elements: whole u32 words, so fp16/bf16 take ceil(n / 2) * 4. */
export function storageByteLength(storage: FormatName, n: number): number {
  return wordCount(storage, n) * 4;
}

/** Packs per-element bit patterns (each below 2^bits) into words. */
export function packBits(storage: FormatName, bits: ArrayLike<number>): Uint32Array {
  const lanes = lanesPerWord(storage);
  const words = new Uint32Array(wordCount(storage, bits.length));
  if (lanes === 1) {
    for (let i = 0; i < bits.length; i++) words[i] = bits[i];
    return words;
  }
  const width = 32 / lanes;
  const mask = (1 << width) - 1;
  for (let i = 0; i < bits.length; i++) {
    words[Math.floor(i / lanes)] |= (bits[i] & mask) << ((i % lanes) * width);
  }
  return words;
}

/** The first n per-element bit patterns of packed words. */
export function unpackBits(storage: FormatName, words: Uint32Array, n: number): Uint32Array {
  const lanes = lanesPerWord(storage);
  if (lanes === 1) return words.slice(0, n);
  const width = 32 / lanes;
  const mask = (1 << width) - 1;
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++)
    bits[i] = (words[Math.floor(i / lanes)] >>> ((i % lanes) * width)) & mask;
  return bits;
}

/** Rounds values (doubles) to the storage format with numerics `encode` and packs them. fp32 goes
 * through Float32Array, whose ToFloat32 conversion is round to nearest even like `encode`. */
export function encodeWords(storage: FormatName, values: ArrayLike<number>): Uint32Array {
  if (storage === 'fp32') {
    const f32 = new Float32Array(Math.max(1, values.length));
    f32.set(values as ArrayLike<number>);
    return new Uint32Array(f32.buffer);
  }
  const format = FORMATS[storage];
  const bits = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = encode(format, values[i]);
  return packBits(storage, bits);
}

/** Exact values (doubles) of the first n elements of packed words, with numerics `decode`. */
export function decodeWords(storage: FormatName, words: Uint32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  if (storage === 'fp32') {
    const f32 = new Float32Array(words.buffer, words.byteOffset, n);
    out.set(f32);
    return out;
  }
  const format = FORMATS[storage];
  const bits = unpackBits(storage, words, n);
  for (let i = 0; i < n; i++) out[i] = decode(format, bits[i]);
  return out;
}
