// Zeroes dst[0 .. n) unless the optimizer state says this step is skipped (foundInf, word 0):
// the low-precision copy's cast events are counted afresh by a step that writes the copy, and
// kept by a skipped step, whose unchanged master the CPU reference casts (and counts) again.
// params: n (words).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.n && state[0] == 0u) {
    dst[i] = 0u;
  }
}
