// Load-balancing loss backward (reference: routerLosses.ts, loadBalanceBackward), counts constant:
//   dprobs[t,e] += a * f_e,  a = lossScale[0] * coef,  coef = round(alpha * E / N) from the host,
//   f_e = counts[e] / (N*k).
// lossScale[0] is dloss (1, or the GradScaler's scale, a power of two, so a equals the
// reference's round(dloss * alpha * E / N) exactly). dprobs (N,E) f32 read and written.
// One invocation per element. params: N, E, k, coef.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.N * params.E) {
    let a = lossScale[0] * params.coef;
    let fraction = f32(counts[i % params.E]) / f32(params.N * params.k);
    dprobs[i] = dprobs[i] + a * fraction;
  }
}
