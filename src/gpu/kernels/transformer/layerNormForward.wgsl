// Layer norm, forward, after layerNormStats: out (N,C) = store(((x - mean) * rstd) * w + b),
// each operation an f32 result in the reference's order (layerNorm.ts).
// One invocation per word of out (OUT_LANES elements of the flattened tensor; rows may split a
// word when C is odd). params: n = N*C, words of out, C, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < params.n) {
        let row = i / params.C;
        let c = i - row * params.C;
        let norm = (load_inp(i) - mean[row]) * rstd[row];
        let v = norm * load_weight(c) + load_bias(c);
        let x = bitcast<u32>(v);
        let b = out_encode(x);
        tally += event_onehot(out_event(x, b));
        word |= b << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
  flush_events(params.group, tally);
}
