// Lanes of packed storage words (element k of word w in bits [k * BITS, (k + 1) * BITS)).

// Lane l of a packed word set to the bits b of a BITS-bit format (BITS = 32: the whole word).
fn with_lane(word: u32, l: u32, b: u32, bits: u32) -> u32 {
  let mask = 0xFFFFFFFFu >> (32u - bits);
  let at = l * bits;
  return (word & ~(mask << at)) | (b << at);
}

fn lane_of(word: u32, l: u32, bits: u32) -> u32 {
  return (word >> (l * bits)) & (0xFFFFFFFFu >> (32u - bits));
}
