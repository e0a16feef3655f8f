// Switch load-balancing loss of one MoE layer (reference: routerLosses.ts, loadBalanceForward):
//   loss = alphaE * sum_e (f_e * P_e),  f_e = counts[e] / (N*k),  P_e = (sum_t probs[t,e]) / N,
// all f32, sums ascending (tokens for P_e, then experts). alphaE = round(alpha * E) from the host.
// probs (N,E) in the router's storage format; counts (E) u32 from the dispatch; loss: f32 buffer,
// written at params.slot. One workgroup: invocation e sums its column, invocation 0 the E terms.
// params: N, E (<= WG_X), k, slot, alphaE.

var<workgroup> terms: array<f32, WG_X>;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(local_invocation_index) e: u32) {
  if (e < params.E) {
    var s = 0.0;
    for (var t = 0u; t < params.N; t++) {
      s = s + load_probs(t * params.E + e);
    }
    let meanProb = s / f32(params.N);
    let fraction = f32(counts[e]) / f32(params.N * params.k);
    terms[e] = fraction * meanProb;
  }
  workgroupBarrier();
  if (e == 0u) {
    var acc = 0.0;
    for (var i = 0u; i < params.E; i++) {
      acc = acc + terms[i];
    }
    loss[params.slot] = params.alphaE * acc;
  }
}
