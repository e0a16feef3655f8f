// Token + position embedding, forward: out (B,T,C) = store(wte[tokens[b,t]] + wpe[t]), one f32
// add rounded once to out's format (reference embedding.ts).
// One invocation per word of out: OUT_LANES elements of the flattened (B*T*C) tensor, so with odd
// C a word may hold the end of one position and the start of the next.
// params: n = B*T*C, words of out, T, C, group. tokens (B*T) ids in [0, V).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < params.n) {
        let bt = i / params.C;
        let c = i - bt * params.C;
        let t = bt % params.T;
        let v = load_wte(tokens[bt] * params.C + c) + load_wpe(t * params.C + c);
        let x = bitcast<u32>(v);
        let b = out_encode(x);
        tally += event_onehot(out_event(x, b));
        word |= b << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
  // Reached by every invocation: subgroup counting needs uniform control flow.
  flush_events(params.group, tally);
}
