// The training loss on the GPU (reference moeTransformer.ts moeForward), one invocation, f32:
//   balance = sum over layers ascending of loss[AUX + l]        (from 0)
//   zLoss   = sum over layers ascending of loss[AUX + L + l]
//   loss[0] = (loss[1] + balance) + zLoss, loss[2] = balance, loss[3] = zLoss
// with loss[1] the mean cross-entropy. params: L (layers).
const AUX = 4u;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (linear_index(gid, nwg) != 0u) {
    return;
  }
  var balance = 0.0;
  var z = 0.0;
  for (var l = 0u; l < params.L; l++) {
    balance = balance + loss[AUX + l];
    z = z + loss[AUX + params.L + l];
  }
  loss[2] = balance;
  loss[3] = z;
  loss[0] = (loss[1] + balance) + z;
}
