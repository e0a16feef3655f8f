// GELU, forward: out (n) = store((0.5 * x) * (1 + tanh(u))), elementwise (reference gelu.ts).
// One invocation per word of out. params: n, words of out, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < params.n) {
        let x = load_inp(i);
        let v = (0.5 * x) * (1.0 + gelu_tanh(gelu_u(x)));
        let bits = bitcast<u32>(v);
        let b = out_encode(bits);
        tally += event_onehot(out_event(bits, b));
        word |= b << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
  flush_events(params.group, tally);
}
