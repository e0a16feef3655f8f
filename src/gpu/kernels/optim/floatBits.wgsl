// f32 facts read from bit patterns (never x != x: WGSL may assume finite math).
const F32_INF_BITS = 0x7F800000u;
const F32_NAN_BITS = 0x7FC00000u;
const F32_ONE_BITS = 0x3F800000u;

fn bits_is_nan(x: u32) -> bool { return (x & 0x7FFFFFFFu) > F32_INF_BITS; }
fn bits_is_finite(x: u32) -> bool { return (x & F32_INF_BITS) != F32_INF_BITS; }
// x != 0 as JavaScript's `x !== 0` on the value: true for NaN, false for both zeros.
fn bits_nonzero(x: u32) -> bool { return (x & 0x7FFFFFFFu) != 0u; }
