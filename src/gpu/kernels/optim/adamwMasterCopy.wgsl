// AdamW on f32 master weights that also writes the low-precision copy the next forward reads
// (fp16-amp / bf16-amp): the new master value cast to the copy's format, round to nearest even,
// counting the cast's events. One invocation per copy word (COPY_LANES elements), so packed
// words are written whole; lanes outside the range keep their bits.
// Elements: copy params.copy_offset .. + params.n <-> master/moments params.offset .. + params.n,
// grads params.grad_offset .. + params.n. params.words: copy words touched.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  if (k < params.words && !optimizer_skips()) {
    let w = params.copy_offset / COPY_LANES + k;
    let s = adamw_step_scalars();
    var word = copy[w];
    for (var l = 0u; l < COPY_LANES; l++) {
      let c = w * COPY_LANES + l;
      if (c >= params.copy_offset && c - params.copy_offset < params.n) {
        let j = c - params.copy_offset;
        let e = params.offset + j;
        let updated = adamw_element(master[e], clipped_grad(params.grad_offset + j), e, s);
        master[e] = updated;
        let b = copy_encode(updated);
        tally += event_onehot(copy_event(updated, b));
        word = with_lane(word, l, b, COPY_BITS);
      }
    }
    store_copy_word(w, word);
  }
  // Reached by every invocation (uniform control flow for subgroup counting).
  flush_events(params.group, tally);
}
