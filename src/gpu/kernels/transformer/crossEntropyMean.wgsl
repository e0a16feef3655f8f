// Mean of the per-position losses, by ONE invocation so the sum runs in the reference's order
// (n ascending, f32): loss[lossIndex] = (sum_n losses[n]) / N. Stays on the GPU: the host reads
// it later, a few steps behind, from a metrics ring. params: N, lossIndex.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (linear_index(gid, nwg) != 0u) {
    return;
  }
  var total = 0.0;
  for (var n = 0u; n < params.N; n++) {
    total = total + losses[n];
  }
  loss[params.lossIndex] = total / f32(params.N);
}
