// AdamW on f32 master weights without a low-precision copy (the fp32 recipe, and tensors every
// recipe keeps in f32): one invocation per element. Elements params.offset .. + params.n of
// master and the moments; their gradients from params.grad_offset.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  if (k >= params.n || optimizer_skips()) {
    return;
  }
  let e = params.offset + k;
  let g = clipped_grad(params.grad_offset + k);
  master[e] = adamw_element(master[e], g, e, adamw_step_scalars());
}
