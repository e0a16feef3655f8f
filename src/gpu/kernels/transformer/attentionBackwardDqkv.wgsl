// Attention backward, dqkv (B,T,3C) overwritten (reference attention.ts), f32 sums ascending:
//   dq[t] = sum over t2 <= t  of dpreatt[t,t2] * k[t2]
//   dk[t] = sum over t1 >= t  of dpreatt[t1,t] * q[t1]
//   dv[t] = sum over t1 >= t  of att[t1,t]     * dout[t1]
// per head (channels h*hd .. h*hd+hd-1 of each third). One invocation per word of dqkv; with odd
// C a word may hold the end of dq and the start of dk, so each lane finds its own third.
// params: n = B*T*3C, words, T, C, H, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let hd = params.C / params.H;
    let C3 = 3u * params.C;
    let TT = params.T * params.T;
    var word = 0u;
    for (var l = 0u; l < DQKV_LANES; l++) {
      let i = w * DQKV_LANES + l;
      if (i < params.n) {
        let bt = i / C3;
        let j = i - bt * C3;
        let b = bt / params.T;
        let t = bt - b * params.T;
        let part = j / params.C;
        let c = j - part * params.C;
        let h = c / hd;
        // (b,h) block of the (B,H,T,T) tensors.
        let bh = (b * params.H + h) * TT;
        var acc = 0.0;
        if (part == 0u) {
          for (var t2 = 0u; t2 <= t; t2++) {
            acc = acc + load_dpreatt(bh + t * params.T + t2) * load_qkv((b * params.T + t2) * C3 + params.C + c);
          }
        } else if (part == 1u) {
          for (var t1 = t; t1 < params.T; t1++) {
            acc = acc + load_dpreatt(bh + t1 * params.T + t) * load_qkv((b * params.T + t1) * C3 + c);
          }
        } else {
          for (var t1 = t; t1 < params.T; t1++) {
            acc = acc + load_att(bh + t1 * params.T + t) * load_dout((b * params.T + t1) * params.C + c);
          }
        }
        let x = bitcast<u32>(acc);
        let e = dqkv_encode(x);
        tally += event_onehot(dqkv_event(x, e));
        word |= e << (l * DQKV_BITS);
      }
    }
    store_dqkv_word(w, word);
  }
  flush_events(params.group, tally);
}
