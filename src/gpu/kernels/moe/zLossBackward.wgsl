// ST-MoE router z-loss backward (reference: routerLosses.ts, zLossBackward), added into dlogits:
//   dlogits[t,e] = store(dlogits[t,e] + (a * lse[t]) * exp(l[t,e] - lse[t])),
//   a = lossScale[0] * coef, coef = round(2 * beta / N) from the host (dloss a power of two: a is
//   the reference's round(2 * beta * dloss / N) exactly).
// dlogits (N,E) read and written, logits (N,E) in the router's storage format; lse (N) f32.
// One invocation per dlogits word (odd E: a word may span two tokens).
// Events: the dlogits stores, counter group params.group. params: N, E, words (of dlogits), coef, group.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let n = params.N * params.E;
    let a = lossScale[0] * params.coef;
    var word = 0u;
    for (var l = 0u; l < DLOGITS_LANES; l++) {
      let i = w * DLOGITS_LANES + l;
      if (i < n) {
        let z = lse[i / params.E];
        let x = bitcast<u32>(load_dlogits(i) + (a * z) * exp(load_logits(i) - z));
        let b = dlogits_encode(x);
        tally += event_onehot(dlogits_event(x, b));
        word |= b << (l * DLOGITS_BITS);
      }
    }
    store_dlogits_word(w, word);
  }
  flush_events(params.group, tally);
}
