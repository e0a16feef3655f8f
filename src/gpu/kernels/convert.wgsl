// Cast src -> dst element-wise, counting dst's cast events. One invocation owns one dst word
// (DST_LANES elements), so packed words are written whole and never shared between invocations.
// params.n: elements; params.words: dst words; params.group: event counter group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DST_LANES; l++) {
      let i = w * DST_LANES + l;
      if (i < params.n) {
        let x = load_src_bits(i);
        let b = dst_encode(x);
        tally += event_onehot(dst_event(x, b));
        word |= b << (l * DST_BITS);
      }
    }
    store_dst_word(w, word);
  }
  // Outside every branch: all invocations reach it (subgroupAdd needs uniform control flow).
  flush_events(params.group, tally);
}
