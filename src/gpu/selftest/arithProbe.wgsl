// out[2i] = bits of a[i] * b[i], out[2i + 1] = bits of a[i] + b[i], in the device's f32
// arithmetic. Operands come from buffers so the compiler cannot fold them.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.n) {
    let x = bitcast<f32>(a[i]);
    let y = bitcast<f32>(b[i]);
    out[2u * i] = bitcast<u32>(x * y);
    out[2u * i + 1u] = bitcast<u32>(x + y);
  }
}
