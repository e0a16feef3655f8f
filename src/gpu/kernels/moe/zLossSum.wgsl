// ST-MoE router z-loss, pass 2 of 2 (reference: routerLosses.ts, zLossForward):
//   loss = beta * ((sum_t lse[t]^2) / N),  f32, tokens ascending (one invocation: the
//   reference's order, deterministic). beta = round(beta) from the host.
// lse (N) f32; loss: f32 buffer, written at params.slot. params: N, slot, beta.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(local_invocation_index) id: u32) {
  if (id == 0u) {
    var sumSq = 0.0;
    for (var t = 0u; t < params.N; t++) {
      let z = lse[t];
      sumSq = sumSq + z * z;
    }
    loss[params.slot] = params.beta * (sumSq / f32(params.N));
  }
}
