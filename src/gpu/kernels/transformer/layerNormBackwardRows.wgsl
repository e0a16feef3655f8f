// Layer norm, backward, row reductions (llm.c), one invocation per row n, f32:
//   norm_i = (x_i - mean) * rstd, dnorm_i = w_i * dout_i,
//   rows[2n] = sum_i dnorm_i / C, rows[2n+1] = sum_i (dnorm_i * norm_i) / C (sums ascending).
// params: N, C.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = linear_index(gid, nwg);
  if (n >= params.N) {
    return;
  }
  let x = n * params.C;
  let m = mean[n];
  let s = rstd[n];
  var dnormSum = 0.0;
  var dnormNormSum = 0.0;
  for (var i = 0u; i < params.C; i++) {
    let norm = (load_inp(x + i) - m) * s;
    let dnorm = load_weight(i) * load_dout(x + i);
    dnormSum = dnormSum + dnorm;
    dnormNormSum = dnormNormSum + dnorm * norm;
  }
  let c = f32(params.C);
  rows[2u * n] = dnormSum / c;
  rows[2u * n + 1u] = dnormNormSum / c;
}
