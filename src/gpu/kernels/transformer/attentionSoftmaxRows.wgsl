// Attention softmax statistics, one invocation per row (b,h,t) of the stored preatt (B,H,T,T),
// f32 over t2 <= t (reference attention.ts): rows[2r] = max, rows[2r+1] = sum of
// exp(preatt - max) ascending. params: rows = B*H*T, T.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg);
  if (r >= params.rows) {
    return;
  }
  let t = r % params.T;
  let base = r * params.T;
  // -inf, as the reference's start (a NaN score is skipped by `>` there as here). Through a var:
  // a constant -inf is a WGSL compile error.
  var negInf = 0xFF800000u;
  var mx = bitcast<f32>(negInf);
  for (var t2 = 0u; t2 <= t; t2++) {
    let s = load_preatt(base + t2);
    if (s > mx) {
      mx = s;
    }
  }
  var sum = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    sum = sum + exp(load_preatt(base + t2) - mx);
  }
  stats[2u * r] = mx;
  stats[2u * r + 1u] = sum;
}
