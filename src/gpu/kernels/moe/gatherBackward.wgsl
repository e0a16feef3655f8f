// MoE gather backward (reference: dispatch.ts, gatherBackward): dinp (N,C) element (t,c) =
// store(sum over the token's slots s ascending of dout[rowOf[t,s], c]), summed in f32 from 0.
// dout (R,C), dinp (N,C) in the main storage format; rowOf (N,k) u32. Deterministic: a token's
// k slots are read by the one invocation that owns its output word, in slot order.
// One invocation per dinp word (odd C: a word may span two tokens).
// Events: the dinp stores, counter group params.group. params: N, C, k, words (of dinp), group.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let n = params.N * params.C;
    var word = 0u;
    for (var l = 0u; l < DINP_LANES; l++) {
      let i = w * DINP_LANES + l;
      if (i < n) {
        let t = i / params.C;
        let c = i % params.C;
        var acc = 0.0;
        for (var s = 0u; s < params.k; s++) {
          acc = acc + load_dout(rowOf[t * params.k + s] * params.C + c);
        }
        let x = bitcast<u32>(acc);
        let b = dinp_encode(x);
        tally += event_onehot(dinp_event(x, b));
        word |= b << (l * DINP_BITS);
      }
    }
    store_dinp_word(w, word);
  }
  flush_events(params.group, tally);
}
