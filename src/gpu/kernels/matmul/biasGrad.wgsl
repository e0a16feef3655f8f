// dbias: column sums of dout (rows, N) over a row range, f32, rows ascending, then one rounding
// to the output format (the reference's biasBackward). out (E, N): element f is column f % N of
// range e = f / N (row_range from the generated head: all rows, or expert e's segment).
// One invocation owns one output word (OUT_LANES elements).
fn column_sum(f: u32) -> f32 {
  let j = f % params.N;
  let range = row_range(f / params.N);
  var acc = 0.0;
  for (var r = range.x; r < range.y; r++) {
    acc = acc + load_dout(r * params.N + j);
  }
  return acc;
}

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let f = w * OUT_LANES + l;
      if (f < params.total) {
        let x = bitcast<u32>(column_sum(f));
        let b = out_encode(x);
        tally += event_onehot(out_event(x, b));
        word |= b << (l * 16u);
      }
    }
    store_out_word(w, word);
  }
  flush_events(params.group, tally);
}
