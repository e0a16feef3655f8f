// Layer norm, backward, parameter gradients (overwritten), sums over rows n ascending in f32:
//   dbias_c = sum_n dout[n,c],  dweight_c = sum_n norm[n,c] * dout[n,c].
// Invocation w writes word w of dweight and word w of dbias (each in its own format).
// params: N, C, wordsWeight, wordsBias, group.
fn dweight_of(c: u32) -> f32 {
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    let i = n * params.C + c;
    let norm = (load_inp(i) - mean[n]) * rstd[n];
    acc = acc + norm * load_dout(i);
  }
  return acc;
}

fn dbias_of(c: u32) -> f32 {
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    acc = acc + load_dout(n * params.C + c);
  }
  return acc;
}

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.wordsWeight) {
    var word = 0u;
    for (var l = 0u; l < DWEIGHT_LANES; l++) {
      let c = w * DWEIGHT_LANES + l;
      if (c < params.C) {
        let x = bitcast<u32>(dweight_of(c));
        let b = dweight_encode(x);
        tally += event_onehot(dweight_event(x, b));
        word |= b << (l * DWEIGHT_BITS);
      }
    }
    store_dweight_word(w, word);
  }
  if (w < params.wordsBias) {
    var word = 0u;
    for (var l = 0u; l < DBIAS_LANES; l++) {
      let c = w * DBIAS_LANES + l;
      if (c < params.C) {
        let x = bitcast<u32>(dbias_of(c));
        let b = dbias_encode(x);
        tally += event_onehot(dbias_event(x, b));
        word |= b << (l * DBIAS_BITS);
      }
    }
    store_dbias_word(w, word);
  }
  flush_events(params.group, tally);
}
