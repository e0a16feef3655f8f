// Residual connection, forward (reference precision.ts residualForward): out (n) = store(a + b),
// one f32 add per element. a, b, out in the storage format; one invocation per word of out.
// Events: the out stores, counter group params.group. params: n, words (of out), group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < params.n) {
        let x = bitcast<u32>(load_a(i) + load_b(i));
        let e = out_encode(x);
        tally += event_onehot(out_event(x, e));
        word |= e << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
  flush_events(params.group, tally);
}
