// Layer norm, backward, input gradient ADDED into the residual gradient (llm.c, layerNorm.ts):
//   dval = ((dnorm - rows[2n]) - norm * rows[2n+1]) * rstd,  dinp = store(dinp + dval),
// with norm, dnorm as in layerNormBackwardRows. One invocation per word of dinp, which it reads
// and rewrites whole. params: n = N*C, words of dinp, C, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DINP_LANES; l++) {
      let i = w * DINP_LANES + l;
      if (i < params.n) {
        let row = i / params.C;
        let c = i - row * params.C;
        let s = rstd[row];
        let norm = (load_inp(i) - mean[row]) * s;
        let dnorm = load_weight(c) * load_dout(i);
        let dval = ((dnorm - rows[2u * row]) - norm * rows[2u * row + 1u]) * s;
        let x = bitcast<u32>(load_dinp(i) + dval);
        let b = dinp_encode(x);
        tally += event_onehot(dinp_event(x, b));
        word |= b << (l * DINP_BITS);
      }
    }
    store_dinp_word(w, word);
  }
  flush_events(params.group, tally);
}
