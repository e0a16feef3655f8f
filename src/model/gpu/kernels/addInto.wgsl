// Gradient of a tensor read by two consumers (reference precision.ts addInto):
// dst (n) = store(dst + src), one f32 add per element, in place. dst in the storage format, src
// in its own (the router's). One invocation per word of dst, read then written whole.
// Events: the dst stores, counter group params.group. params: n, words (of dst), group.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (w < params.words) {
    var word = 0u;
    for (var l = 0u; l < DST_LANES; l++) {
      let i = w * DST_LANES + l;
      if (i < params.n) {
        let x = bitcast<u32>(load_dst(i) + load_src(i));
        let e = dst_encode(x);
        tally += event_onehot(dst_event(x, e));
        word |= e << (l * DST_BITS);
      }
    }
    store_dst_word(w, word);
  }
  flush_events(params.group, tally);
}
