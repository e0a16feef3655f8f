// Softmax cross-entropy, backward (reference crossEntropy.ts): with c = dloss / N in f32,
// dlogits (N,V) = store((probs - [j == target]) * c), overwritten. dloss (the upstream gradient
// of the mean loss: 1, or the loss scale) is READ ON THE GPU from dloss[dlossIndex], so a loss
// scaler living in a GPU buffer drives it without the host.
// One invocation per word of dlogits (rows split words when V is odd). params: n = N*V, words,
// N, V, dlossIndex, group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let c = dloss[params.dlossIndex] / f32(params.N);
    var word = 0u;
    for (var l = 0u; l < DLOGITS_LANES; l++) {
      let i = w * DLOGITS_LANES + l;
      if (i < params.n) {
        let n = i / params.V;
        let j = i - n * params.V;
        let indicator = select(0.0, 1.0, targets[n] == j);
        let x = bitcast<u32>((probs[i] - indicator) * c);
        let e = dlogits_encode(x);
        tally += event_onehot(dlogits_event(x, e));
        word |= e << (l * DLOGITS_BITS);
      }
    }
    store_dlogits_word(w, word);
  }
  flush_events(params.group, tally);
}
