// MoE combine backward, expert-output gradient (reference: combine.ts, combineBackward):
//   deo (R,C) element (r,c) = store(gate[t,s] * dy[t,c]) for the (token t, slot s) of row r:
// t = tokenOf[r], s the slot with rowOf[t,s] = r. dy (N,C), deo in the main storage format;
// gates (N,k) in the router's; tokenOf (R), rowOf (N,k) u32. One invocation per deo word.
// Events: the deo stores, counter group params.group. params: R, C, k, words (of deo), group.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    let n = params.R * params.C;
    var word = 0u;
    for (var l = 0u; l < DEO_LANES; l++) {
      let i = w * DEO_LANES + l;
      if (i < n) {
        let r = i / params.C;
        let c = i % params.C;
        let t = tokenOf[r];
        var a = t * params.k;
        for (var s = 0u; s < params.k; s++) {
          if (rowOf[t * params.k + s] == r) { a = t * params.k + s; }
        }
        let x = bitcast<u32>(load_gates(a) * load_dy(t * params.C + c));
        let b = deo_encode(x);
        tally += event_onehot(deo_event(x, b));
        word |= b << (l * DEO_BITS);
      }
    }
    store_deo_word(w, word);
  }
  flush_events(params.group, tally);
}
