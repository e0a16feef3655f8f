// Gradient norms, stage 2 of 3: one invocation per tensor sums its slots' partial sums in slot
// order and writes the tensor's sum of squares, its L2 norm (correctly rounded sqrt) and its
// inf/NaN flag into the output (layout in gradNorm.ts: NORM_HEADER words, then norms, sums,
// flags, each params.tensors long).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = linear_index(gid, nwg);
  if (t >= params.tensors) {
    return;
  }
  let first = plan[4u * t + 3u];
  let lanes = plan[4u * t + 2u];
  var sum = 0u;
  var nonfinite = 0u;
  for (var k = 0u; k < lanes; k++) {
    sum = f_add(sum, partials[2u * (first + k)]);
    nonfinite |= partials[2u * (first + k) + 1u];
  }
  let T = params.tensors;
  out[NORM_HEADER + t] = f_sqrt(sum);
  out[NORM_HEADER + T + t] = sum;
  out[NORM_HEADER + 2u * T + t] = nonfinite;
}
