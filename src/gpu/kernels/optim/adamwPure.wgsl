// Pure low-precision AdamW (bf16-pure): the weights are values of their storage format, no
// master copy. The update is computed in f32 from the stored value and rounded back to the
// format, to nearest even or stochastically with random32(key_t, params.counter + j) for element
// j of the range, key_t = random32(params.key, t) for step t. Counts the store's cast events and
// the lost updates (the reference's definition, src/model/reference/adamw.ts adamwStepPure):
//   nearest:    delta != 0 (not NaN) and round(w + delta) == w   (numerics isLostUpdate)
//   stochastic: delta != 0 and the stored value == w
// with delta = updated - w in f32. One invocation per weights word (WEIGHTS_LANES elements);
// lanes outside the range keep their bits. params.words: weights words touched.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  var tally = vec4<u32>(0u);
  var lost = 0u;
  if (k < params.words && !optimizer_skips()) {
    let w = params.offset / WEIGHTS_LANES + k;
    let s = adamw_step_scalars();
    let key = random32(params.key, state[STATE_STEPS_DONE] + 1u);
    var word = weights[w];
    for (var l = 0u; l < WEIGHTS_LANES; l++) {
      let e = w * WEIGHTS_LANES + l;
      if (e >= params.offset && e - params.offset < params.n) {
        let j = e - params.offset;
        let stored = lane_of(word, l, WEIGHTS_BITS);
        let old = load_weights_bits(e); // its f32 bits
        let updated = adamw_element(old, clipped_grad(params.grad_offset + j), e, s);
        let delta = f_sub(updated, old);
        var b = 0u;
        var kept = false; // the stored value did not change, as values (0 == -0, NaN != NaN)
        if (params.stochastic != 0u) {
          b = weights_stochastic(updated, random32(key, params.counter + j));
          kept = b == stored || ((b | stored) << (33u - WEIGHTS_BITS)) == 0u;
        } else {
          b = weights_encode(updated);
          let sum = weights_encode(f_add(old, delta));
          kept = !bits_is_nan(delta) &&
            (sum == stored || ((sum | stored) << (33u - WEIGHTS_BITS)) == 0u);
        }
        if (kept && bits_nonzero(delta) && !bits_is_nan(old)) {
          lost += 1u;
        }
        tally += event_onehot(weights_event(updated, b));
        word = with_lane(word, l, b, WEIGHTS_BITS);
      }
    }
    store_weights_word(w, word);
  }
  if (lost != 0u) {
    atomicAdd(&lost_updates[params.lost_index], lost);
  }
  flush_events(params.group, tally);
}
