// Self-test probe of the f_* arithmetic: out[5i .. 5i + 4] = a + b, a - b, a * b, a / b,
// sqrt(a) for the f32 bit patterns a[i], b[i].
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < params.n) {
    let x = a[i];
    let y = b[i];
    out[5u * i] = f_add(x, y);
    out[5u * i + 1u] = f_sub(x, y);
    out[5u * i + 2u] = f_mul(x, y);
    out[5u * i + 3u] = f_div(x, y);
    out[5u * i + 4u] = f_sqrt(x);
  }
}
