/**
 * Counter-based random numbers: random32(key, counter) is a pure function, so the CPU and a WGSL
 * kernel (one invocation per counter) draw the same word without shared state. Only u32
 * operations that WGSL has with the same meaning: Math.imul is WGSL's wrapping u32 `*`, `>>>` is
 * `>>`, `^` is `^`, and `(a + b) >>> 0` is the wrapping `+`.
 *
 * pcgHash is pcg_hash from M. Jarzynski and M. Olano, "Hash Functions for GPU Rendering",
 * JCGT 9(3), 2020: one step of the PCG LCG (multiplier 747796405, increment 2891336453) and its
 * RXS-M-XS output permutation (M. O'Neill, "PCG: A Family of Simple Fast Space-Efficient
 * Statistically Good Algorithms for Random Number Generation", 2014). It is a bijection on u32.
 *
 * random32(key, counter) = pcgHash(pcgHash(counter) ^ key). For a fixed key the map over
 * counters is a bijection (no repeats within 2^32 draws), and two keys are related only through
 * that permutation, not by a shift or a xor of counters.
 *
 * WGSL twin:
 *   fn pcg_hash(v: u32) -> u32 {
 *     let state = v * 747796405u + 2891336453u;
 *     let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
 *     return (word >> 22u) ^ word;
 *   }
 *   fn random32(key: u32, counter: u32) -> u32 { return pcg_hash(pcg_hash(counter) ^ key); }
 *   fn uniform01(key: u32, counter: u32) -> f32 { return f32(random32(key, counter) >> 8u) * 0x1p-24f; }
 */

export function pcgHash(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** A u32 (0 .. 2^32 - 1) from a u32 key (seed, step, tensor id mixed by the caller) and a u32
 * counter (element index). Arguments are taken modulo 2^32. */
export function random32(key: number, counter: number): number {
  return pcgHash((pcgHash(counter >>> 0) ^ key) >>> 0);
}

/** Uniform in [0, 1) on the 2^-24 grid: the top 24 bits of random32, exact in f32. */
export function uniform01(key: number, counter: number): number {
  return (random32(key, counter) >>> 8) / 0x100_0000;
}
