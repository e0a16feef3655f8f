// The end of an optimizer step, one invocation: torch.amp.GradScaler.update
// (_amp_update_scale_, numerics GradScaler.update) when params.scaling is 1, then the step
// bookkeeping every recipe needs:
//   found_inf: scale = scale * backoff_factor, tracker = 0
//   else:      tracker + 1 == growth_interval ? (grown = scale * growth_factor, kept if finite;
//              tracker = 0) : tracker + 1
//   inv_scale = 1 / scale (correctly rounded, as torch's scale.double().reciprocal().float())
//   steps_done += 1 unless found_inf (the optimizer skipped: PyTorch's state["step"] stays),
//   skipped_steps += found_inf, last_found_inf = found_inf, found_inf = 0 for the next step.
// Word indices: optimizerState.ts.
const STATE_FOUND_INF = 0u;
const STATE_STEPS_DONE = 1u;
const STATE_SCALE = 2u;
const STATE_INV_SCALE = 3u;
const STATE_GROWTH_TRACKER = 4u;
const STATE_SKIPPED_STEPS = 5u;
const STATE_LAST_FOUND_INF = 6u;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main() {
  let found = state[STATE_FOUND_INF] != 0u;
  if (params.scaling != 0u) {
    var scale = state[STATE_SCALE];
    var tracker = state[STATE_GROWTH_TRACKER];
    if (found) {
      scale = f_mul(scale, params.backoff_factor);
      tracker = 0u;
    } else if (tracker + 1u == params.growth_interval) {
      let grown = f_mul(scale, params.growth_factor);
      scale = select(scale, grown, bits_is_finite(grown));
      tracker = 0u;
    } else {
      tracker = tracker + 1u;
    }
    state[STATE_SCALE] = scale;
    state[STATE_INV_SCALE] = f_div(F32_ONE_BITS, scale);
    state[STATE_GROWTH_TRACKER] = tracker;
  }
  state[STATE_STEPS_DONE] += select(1u, 0u, found);
  state[STATE_SKIPPED_STEPS] += select(0u, 1u, found);
  state[STATE_LAST_FOUND_INF] = select(0u, 1u, found);
  state[STATE_FOUND_INF] = 0u;
}
