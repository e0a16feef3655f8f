// Attention probabilities after attentionSoftmaxRows: att (B,H,T,T) =
// store(exp(preatt - max) / sum) for t2 <= t, 0 above the diagonal (reference attention.ts).
// One invocation per word of att. params: n = B*H*T*T, words, T, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < ATT_LANES; l++) {
      let i = w * ATT_LANES + l;
      if (i < params.n) {
        let t2 = i % params.T;
        let r = i / params.T;
        let t = r % params.T;
        var v = 0.0;
        if (t2 <= t) {
          v = exp(load_preatt(i) - stats[2u * r]) / stats[2u * r + 1u];
        }
        let x = bitcast<u32>(v);
        let e = att_encode(x);
        tally += event_onehot(att_event(x, e));
        word |= e << (l * ATT_BITS);
      }
    }
    store_att_word(w, word);
  }
  flush_events(params.group, tally);
}
