// GELU, backward (llm.c form, reference gelu.ts): dinp (n) = store(gelu'(x) * dout), with
//   gelu'(x) = 0.5 (1 + tanh u) + ((0.5 x) sech^2 u) (s (1 + 3c x^2)).
// One invocation per word of dinp (overwritten). params: n, words of dinp, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DINP_LANES; l++) {
      let i = w * DINP_LANES + l;
      if (i < params.n) {
        let x = load_inp(i);
        let u = gelu_u(x);
        let left = 0.5 * (1.0 + gelu_tanh(u));
        let right = ((0.5 * x) * gelu_sech2(u)) * (GELU_S * (1.0 + GELU_C3 * (x * x)));
        let v = (left + right) * load_dout(i);
        let bits = bitcast<u32>(v);
        let b = dinp_encode(bits);
        tally += event_onehot(dinp_event(bits, b));
        word |= b << (l * DINP_BITS);
      }
    }
    store_dinp_word(w, word);
  }
  flush_events(params.group, tally);
}
