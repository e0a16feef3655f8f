// torch.nn.utils.clip_grad_norm_'s scaling of f32 gradients in place: g = g * coef (f32,
// correctly rounded), coef from the grad-norm output (1 when not clipping). One invocation per
// element of grads params.offset .. + params.n.
const NORM_CLIP_COEF = 2u;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  if (k >= params.n) {
    return;
  }
  let i = params.offset + k;
  grads[i] = f_mul(grads[i], norm[NORM_CLIP_COEF]);
}
