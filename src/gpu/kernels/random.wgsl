// Counter-based PRNG, the twin of numerics/prng.ts (checked equal by the conversion self-test).
// pcg_hash: M. Jarzynski and M. Olano, "Hash Functions for GPU Rendering", JCGT 9(3), 2020.
// u32 `*` and `+` wrap, as Math.imul and `>>> 0` do in the TypeScript.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// A u32 from a key (seed, step, tensor id mixed by the caller) and a counter (element index).
fn random32(key: u32, counter: u32) -> u32 {
  return pcg_hash(pcg_hash(counter) ^ key);
}

// Uniform in [0, 1) on the 2^-24 grid: the top 24 bits of random32, exact in f32.
fn uniform01(key: u32, counter: u32) -> f32 {
  return f32(random32(key, counter) >> 8u) * 0x1p-24f;
}
