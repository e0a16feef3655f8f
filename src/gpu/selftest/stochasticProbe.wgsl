// dst = stochastic rounding of src with the random word random32(params.key, i) for element i.
// One invocation owns one dst word, as in convert.wgsl.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DST_LANES; l++) {
      let i = w * DST_LANES + l;
      if (i < params.n) {
        word |= dst_stochastic(load_src_bits(i), random32(params.key, i)) << (l * DST_BITS);
      }
    }
    store_dst_word(w, word);
  }
}
