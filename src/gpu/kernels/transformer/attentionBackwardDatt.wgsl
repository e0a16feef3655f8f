// Attention backward, gradient of the probabilities: datt (B,H,T,T) =
// store(sum over j ascending of dout[b,t,h*hd+j] * v[b,t2,h*hd+j]) for t2 <= t, 0 above the
// diagonal (reference attention.ts). One invocation per word of datt.
// params: n = B*H*T*T, words, T, C, H, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let hd = params.C / params.H;
    let C3 = 3u * params.C;
    var word = 0u;
    for (var l = 0u; l < DATT_LANES; l++) {
      let i = w * DATT_LANES + l;
      if (i < params.n) {
        let t2 = i % params.T;
        let row = i / params.T;
        let t = row % params.T;
        let bh = row / params.T;
        let h = bh % params.H;
        let b = bh / params.H;
        var acc = 0.0;
        if (t2 <= t) {
          let d = (b * params.T + t) * params.C + h * hd;
          let v = (b * params.T + t2) * C3 + 2u * params.C + h * hd;
          for (var j = 0u; j < hd; j++) {
            acc = acc + load_dout(d + j) * load_qkv(v + j);
          }
        }
        let x = bitcast<u32>(acc);
        let e = datt_encode(x);
        tally += event_onehot(datt_event(x, e));
        word |= e << (l * DATT_BITS);
      }
    }
    store_datt_word(w, word);
  }
  flush_events(params.group, tally);
}
