// Plain f32 copy, one element per invocation: the bandwidth baseline for the conversions.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.n) {
    dst[i] = src[i];
  }
}
