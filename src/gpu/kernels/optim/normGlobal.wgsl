// Gradient norms, stage 3 of 3, one invocation: the global norm sqrt(sum of the tensors' sums of
// squares, in table order), the inf/NaN flag, and torch.nn.utils.clip_grad_norm_'s coefficient
// (src/model/reference/gradNorm.ts clipByGlobalNorm):
//   coef = min(maxNorm / (norm + 1e-6), 1), NaN kept (JavaScript's Math.min), 1 when not clipping.
// out[0] norm, out[1] 1 if any element was inf/NaN, out[2] coef, out[3] total sum of squares.
const CLIP_EPS_BITS = 0x358637BDu; // Math.fround(1e-6)

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main() {
  let T = params.tensors;
  var total = 0u;
  var nonfinite = 0u;
  for (var t = 0u; t < T; t++) {
    total = f_add(total, out[NORM_HEADER + T + t]);
    nonfinite |= out[NORM_HEADER + 2u * T + t];
  }
  let norm = f_sqrt(total);
  var coef = F32_ONE_BITS;
  if (params.clip != 0u) {
    let c = f_div(params.max_norm, f_add(norm, CLIP_EPS_BITS));
    // c > 1 on bits: positive (sign clear), not NaN, above 1's pattern.
    coef = select(c, F32_ONE_BITS, c > F32_ONE_BITS && c <= F32_INF_BITS);
  }
  out[0] = norm;
  out[1] = nonfinite;
  out[2] = coef;
  out[3] = total;
}
