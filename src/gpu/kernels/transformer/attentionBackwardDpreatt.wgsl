// Attention backward, softmax backward folded with the scale, after attentionBackwardRows:
// dpreatt (B,H,T,T) = store((att * (datt - stats[r])) * scale) for t2 <= t, 0 above: the
// gradient w.r.t. the UNSCALED dot q.k (reference attention.ts). One invocation per word.
// params: n = B*H*T*T, words, T, scale, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DPREATT_LANES; l++) {
      let i = w * DPREATT_LANES + l;
      if (i < params.n) {
        let t2 = i % params.T;
        let r = i / params.T;
        let t = r % params.T;
        var v = 0.0;
        if (t2 <= t) {
          v = (load_att(i) * (load_datt(i) - stats[r])) * params.scale;
        }
        let x = bitcast<u32>(v);
        let e = dpreatt_encode(x);
        tally += event_onehot(dpreatt_event(x, e));
        word |= e << (l * DPREATT_BITS);
      }
    }
    store_dpreatt_word(w, word);
  }
  flush_events(params.group, tally);
}
