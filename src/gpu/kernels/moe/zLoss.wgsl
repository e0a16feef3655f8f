// ST-MoE router z-loss, pass 1 of 2 (reference: routerLosses.ts, zLossForward): per token
//   lse[t] = max + log(sum_e exp(l[t,e] - max)),  f32, sum ascending.
// logits (N,E) in the router's storage format; lse (N) f32, kept for the backward.
// One invocation per token. params: N, E.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = linear_index(gid, nwg);
  if (t < params.N) {
    let row = t * params.E;
    var mx = load_logits(row);
    for (var e = 1u; e < params.E; e++) {
      let l = load_logits(row + e);
      if (l > mx) { mx = l; }
    }
    var sum = 0.0;
    for (var e = 0u; e < params.E; e++) {
      sum = sum + exp(load_logits(row + e) - mx);
    }
    lse[t] = mx + log(sum);
  }
}
