// out[2i] = random32(keys[i], indices[i]); out[2i + 1] = bits of uniform01(keys[i], indices[i]).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.n) {
    out[2u * i] = random32(keys[i], indices[i]);
    out[2u * i + 1u] = bitcast<u32>(uniform01(keys[i], indices[i]));
  }
}
