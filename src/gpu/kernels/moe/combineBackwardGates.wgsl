// MoE combine backward, gate gradient (reference: combine.ts, combineBackward):
//   dgates (N,k) f32 element (t,s) = sum over c ascending of dy[t,c] * expertOut[rowOf[t,s], c],
// in f32 from 0: a reduction kept in f32 for the router (not a cast site, no events).
// dy (N,C), expertOut (R,C) in the main storage format; rowOf (N,k) u32.
// One invocation per (t,s). params: N, C, k.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let a = linear_index(gid, nwg);
  if (a < params.N * params.k) {
    let t = a / params.k;
    let row = rowOf[a] * params.C;
    var dg = 0.0;
    for (var c = 0u; c < params.C; c++) {
      dg = dg + load_dy(t * params.C + c) * load_eo(row + c);
    }
    dgates[a] = dg;
  }
}
