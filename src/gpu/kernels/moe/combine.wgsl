// MoE weighted combine (reference: combine.ts, combineForward):
//   y (N,C) element (t,c) = store(sum over slots s ascending of gate[t,s] * expertOut[rowOf[t,s], c]),
// each product and sum in f32 from 0. expertOut (R,C), y in the main storage format; gates (N,k)
// in the router's; rowOf (N,k) u32. One invocation per y word (odd C: a word may span two tokens).
// Events: the y stores, counter group params.group. params: N, C, k, words (of y), group.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let n = params.N * params.C;
    var word = 0u;
    for (var l = 0u; l < Y_LANES; l++) {
      let i = w * Y_LANES + l;
      if (i < n) {
        let t = i / params.C;
        let c = i % params.C;
        var acc = 0.0;
        for (var s = 0u; s < params.k; s++) {
          let a = t * params.k + s;
          acc = acc + load_gates(a) * load_eo(rowOf[a] * params.C + c);
        }
        let x = bitcast<u32>(acc);
        let b = y_encode(x);
        tally += event_onehot(y_event(x, b));
        word |= b << (l * Y_BITS);
      }
    }
    store_y_word(w, word);
  }
  flush_events(params.group, tally);
}
