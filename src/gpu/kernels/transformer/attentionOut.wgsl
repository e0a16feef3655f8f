// Attention output: out (B,T,C), out[b,t,h*hd+j] = store(sum over t2 <= t ascending of
// att[b,h,t,t2] * v[b,t2,h*hd+j]) in f32 (reference attention.ts); v is the last third of qkv.
// One invocation per word of out. params: n = B*T*C, words, T, C, H, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let hd = params.C / params.H;
    let C3 = 3u * params.C;
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < params.n) {
        let bt = i / params.C;
        let c = i - bt * params.C;
        let b = bt / params.T;
        let t = bt - b * params.T;
        let h = c / hd;
        let row = ((b * params.H + h) * params.T + t) * params.T;
        var acc = 0.0;
        for (var t2 = 0u; t2 <= t; t2++) {
          acc = acc + load_att(row + t2) * load_qkv((b * params.T + t2) * C3 + 2u * params.C + c);
        }
        let x = bitcast<u32>(acc);
        let e = out_encode(x);
        tally += event_onehot(out_event(x, e));
        word |= e << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
  flush_events(params.group, tally);
}
