// Position embedding, backward: dwpe (maxT,C), dwpe[t,c] = sum over b ascending of dout[b,t,c]
// for t < T, and 0 for the positions T..maxT-1 the batch does not reach (embedding.ts).
// One invocation per word of dwpe (DWPE_LANES elements of the flattened (maxT*C) tensor).
// params: n = maxT*C, words of dwpe, B, T, C, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DWPE_LANES; l++) {
      let i = w * DWPE_LANES + l;
      if (i < params.n) {
        let t = i / params.C;
        let c = i - t * params.C;
        var acc = 0.0;
        if (t < params.T) {
          for (var b = 0u; b < params.B; b++) {
            acc = acc + load_dout((b * params.T + t) * params.C + c);
          }
        }
        let x = bitcast<u32>(acc);
        let e = dwpe_encode(x);
        tally += event_onehot(dwpe_event(x, e));
        word |= e << (l * DWPE_BITS);
      }
    }
    store_dwpe_word(w, word);
  }
  flush_events(params.group, tally);
}
