// Layer norm statistics, one invocation per row n of inp (N,C), all f32 (reference layerNorm.ts):
//   mean = sum_i x_i / C,  var = sum_i (x_i - mean)^2 / C  (sums ascending),
//   rstd = 1 / sqrt(var + eps).
// mean (N), rstd (N) are f32 whatever the storage. params: N, C, eps (f32 of 1e-5).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = linear_index(gid, nwg);
  if (n >= params.N) {
    return;
  }
  let x = n * params.C;
  let c = f32(params.C);
  var sum = 0.0;
  for (var i = 0u; i < params.C; i++) {
    sum = sum + load_inp(x + i);
  }
  let m = sum / c;
  var ss = 0.0;
  for (var i = 0u; i < params.C; i++) {
    let d = load_inp(x + i) - m;
    ss = ss + d * d;
  }
  let variance = ss / c;
  mean[n] = m;
  rstd[n] = 1.0 / sqrt(variance + params.eps);
}
