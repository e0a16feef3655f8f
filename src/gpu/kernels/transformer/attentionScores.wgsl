// Attention scores: preatt (B,H,T,T) = store((q_t . k_t2) * scale) for t2 <= t, 0 above the
// diagonal (reference attention.ts). q, k of head h are channels [h*hd, (h+1)*hd) of the q and
// k thirds of qkv (B,T,3C); the dot sums i ascending in f32.
// One invocation per word of preatt (PREATT_LANES elements of the flattened tensor; rows of odd
// T split words). params: n = B*H*T*T, words, T, C, H, scale (f32 of 1/sqrt(hd)), group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let hd = params.C / params.H;
    let C3 = 3u * params.C;
    var word = 0u;
    for (var l = 0u; l < PREATT_LANES; l++) {
      let i = w * PREATT_LANES + l;
      if (i < params.n) {
        let t2 = i % params.T;
        let row = i / params.T;
        let t = row % params.T;
        let bh = row / params.T;
        let h = bh % params.H;
        let b = bh / params.H;
        var v = 0.0;
        if (t2 <= t) {
          let q = (b * params.T + t) * C3 + h * hd;
          let k = (b * params.T + t2) * C3 + params.C + h * hd;
          var dot = 0.0;
          for (var j = 0u; j < hd; j++) {
            dot = dot + load_qkv(q + j) * load_qkv(k + j);
          }
          v = dot * params.scale;
        }
        let x = bitcast<u32>(v);
        let e = preatt_encode(x);
        tally += event_onehot(preatt_event(x, e));
        word |= e << (l * PREATT_BITS);
      }
    }
    store_preatt_word(w, word);
  }
  flush_events(params.group, tally);
}
