// One AdamW element, shared by the master and pure kernels: torch.optim.AdamW's single-tensor
// order (src/model/reference/adamw.ts, updateElement), every operation rounded to f32 by the
// f_* arithmetic; values are f32 bit patterns (u32):
//   decayed = w * decay                          decay = 1 - lr * wd
//   m       = m + (1 - b1) * (g - m)
//   v       = v * b2 + ((1 - b2) * g) * g
//   denom   = sqrt(v) / sqrt(1 - b2^t) + eps
//   w'      = decayed + (negStepSize * m) / denom   negStepSize = -lr / (1 - b1^t)
// Bindings: moments (f32 bits, (2, moments_stride): exp_avg m, then exp_avg_sq v), state
// (optimizer state words), steps (bias-correction table: rows of (negStepSize, sqrt(1 - b2^t))
// for t = 1, 2, ...), norm (grad-norm output: clip coefficient), grads (tensor). Uniforms: decay,
// one_minus_beta1, beta2, one_minus_beta2, eps (f32 bits), rows, clip (1: multiply each gradient
// by the clip coefficient first, as clip_grad_norm_ would), moments_stride.

const STATE_FOUND_INF = 0u;
const STATE_STEPS_DONE = 1u;
const NORM_CLIP_COEF = 2u;

// GradScaler's skip: a step whose unscaled gradients held an inf/NaN changes nothing.
fn optimizer_skips() -> bool {
  return state[STATE_FOUND_INF] != 0u;
}

// (negStepSize, sqrt(1 - b2^t)) of this step, t = completed steps + 1; past the table's last row
// the values no longer change in f32.
fn adamw_step_scalars() -> vec2<u32> {
  let t = state[STATE_STEPS_DONE] + 1u;
  let row = min(t, params.rows) - 1u;
  return vec2<u32>(steps[2u * row], steps[2u * row + 1u]);
}

fn clipped_grad(i: u32) -> u32 {
  let g = load_grads_bits(i);
  if (params.clip == 0u) {
    return g;
  }
  return f_mul(g, norm[NORM_CLIP_COEF]);
}

// New weight (f32 bits) from weight w and gradient g; updates the moments of element e.
fn adamw_element(w: u32, g: u32, e: u32, s: vec2<u32>) -> u32 {
  let decayed = f_mul(w, params.decay);
  let ve = params.moments_stride + e;
  let m_old = moments[e];
  let mi = f_add(m_old, f_mul(params.one_minus_beta1, f_sub(g, m_old)));
  let vi = f_add(f_mul(moments[ve], params.beta2), f_mul(f_mul(params.one_minus_beta2, g), g));
  moments[e] = mi;
  moments[ve] = vi;
  let denom = f_add(f_div(f_sqrt(vi), s.y), params.eps);
  return f_add(decayed, f_div(f_mul(s.x, mi), denom));
}
