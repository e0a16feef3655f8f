// Token embedding, backward: dwte (V,C), dwte[v,c] = sum over positions n (= b*T + t ascending)
// holding token v of dout[n,c], f32 adds in the reference's order (embedding.ts). A deterministic
// scatter-add without atomics: each element loops over all B*T tokens and keeps its own.
// One invocation per word of dwte (DWTE_LANES elements of the flattened (V*C) tensor).
// params: n = V*C, words of dwte, N = B*T, C, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DWTE_LANES; l++) {
      let i = w * DWTE_LANES + l;
      if (i < params.n) {
        let v = i / params.C;
        let c = i - v * params.C;
        var acc = 0.0;
        for (var k = 0u; k < params.N; k++) {
          if (tokens[k] == v) {
            acc = acc + load_dout(k * params.C + c);
          }
        }
        let x = bitcast<u32>(acc);
        let b = dwte_encode(x);
        tally += event_onehot(dwte_event(x, b));
        word |= b << (l * DWTE_BITS);
      }
    }
    store_dwte_word(w, word);
  }
  flush_events(params.group, tally);
}
