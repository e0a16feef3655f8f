// GradScaler.unscale_ (torch's _amp_foreach_non_finite_check_and_unscale_): every SCALED
// gradient is checked for inf/NaN on its bits, then multiplied by inv_scale in f32 (correctly
// rounded). inv_scale is read from the optimizer state, so the loss scale lives on the GPU;
// found_inf is or-ed into it for the optimizer and the scaler update to read. One invocation per
// dst word (fp32: one element). src elements params.src_offset .. + params.n -> dst elements
// params.dst_offset .. + params.n; dst lanes outside the range keep their bits.
const STATE_FOUND_INF = 0u;
const STATE_INV_SCALE = 3u;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (k < params.words) {
    let inv_scale = atomicLoad(&state[STATE_INV_SCALE]);
    let w = params.dst_offset / DST_LANES + k;
    var word = dst[w];
    var found = false;
    for (var l = 0u; l < DST_LANES; l++) {
      let c = w * DST_LANES + l;
      if (c >= params.dst_offset && c - params.dst_offset < params.n) {
        let g = load_src_bits(params.src_offset + c - params.dst_offset);
        found = found || !bits_is_finite(g);
        let u = f_mul(g, inv_scale);
        let b = dst_encode(u);
        tally += event_onehot(dst_event(u, b));
        word = with_lane(word, l, b, DST_BITS);
      }
    }
    store_dst_word(w, word);
    if (found) {
      atomicOr(&state[STATE_FOUND_INF], 1u);
    }
  }
  flush_events(params.group, tally);
}
