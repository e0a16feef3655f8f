// Attention backward, softmax row reduction, one invocation per row r = (b,h,t), f32:
// stats[r] = sum over t2 <= t ascending of att * datt (both as stored). params: rows = B*H*T, T.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg);
  if (r >= params.rows) {
    return;
  }
  let t = r % params.T;
  let base = r * params.T;
  var dot = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    dot = dot + load_att(base + t2) * load_datt(base + t2);
  }
  stats[r] = dot;
}
