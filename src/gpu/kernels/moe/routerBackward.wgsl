// MoE router backward (reference: router.ts, routerBackward). Per token: the gate gradients join
// dprobs in place (f32) — k = 1: dprobs[e] += dgate; k >= 2 through the renormalisation
// gate_j = p_j / S: dprobs[e_j] += (dgate_j - sum_i dgate_i gate_i) / S — then the softmax:
// dlogits = store(p * (dprobs - sum_e p_e dprobs_e)), sums ascending.
// dprobs (N,E) f32, read and written; dgates (N,k) f32; probs (N,E), gates (N,k) and dlogits (N,E)
// in the router's storage format; topIdx (N,k) u32.
// One invocation owns a pair of tokens, so its dlogits words are whole (see router.wgsl).
// Events: the dlogits stores, in counter group params.group. params: N, E, k, group.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let q = linear_index(gid, nwg);
  let E = params.E;
  let k = params.k;
  var tally = vec4<u32>(0u);
  if (2u * q < params.N) {
    let t0 = 2u * q;
    let t1 = min(t0 + 2u, params.N);
    var word = 0u;
    for (var t = t0; t < t1; t++) {
      let row = t * E;
      if (k == 1u) {
        let e = topIdx[t];
        dprobs[row + e] = dprobs[row + e] + dgates[t];
      } else {
        var s = 0.0;
        var gdot = 0.0;
        for (var j = 0u; j < k; j++) {
          s = s + load_probs(row + topIdx[t * k + j]);
          gdot = gdot + dgates[t * k + j] * load_gates(t * k + j);
        }
        for (var j = 0u; j < k; j++) {
          let i = row + topIdx[t * k + j];
          dprobs[i] = dprobs[i] + (dgates[t * k + j] - gdot) / s;
        }
      }
      var pdot = 0.0;
      for (var e = 0u; e < E; e++) {
        pdot = pdot + load_probs(row + e) * dprobs[row + e];
      }
      for (var e = 0u; e < E; e++) {
        let i = row + e;
        let x = bitcast<u32>(load_probs(i) * (dprobs[i] - pdot));
        let b = dlogits_encode(x);
        tally += event_onehot(dlogits_event(x, b));
        word |= b << ((i % DLOGITS_LANES) * DLOGITS_BITS);
        if ((i + 1u) % DLOGITS_LANES == 0u || i + 1u == t1 * E) {
          store_dlogits_word(i / DLOGITS_LANES, word);
          word = 0u;
        }
      }
    }
  }
  flush_events(params.group, tally);
}
