// Softmax cross-entropy, forward, one invocation per position n of logits (N,V), all f32
// (reference crossEntropy.ts): e_j = exp(l_j - max), sum ascending, probs (N,V) = e / sum,
// losses[n] = (max + log(sum)) - l_target (log-sum-exp form).
// A target outside [0, V) cannot throw here as on the CPU: its loss is written as NaN, which the
// mean carries to the loss the host reads. params: N, V.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = linear_index(gid, nwg);
  if (n >= params.N) {
    return;
  }
  let row = n * params.V;
  // -inf and NaN through vars: constant ones are WGSL compile errors.
  var negInf = 0xFF800000u;
  var nan = 0x7FC00000u;
  var mx = bitcast<f32>(negInf);
  for (var j = 0u; j < params.V; j++) {
    let l = load_logits(row + j);
    if (l > mx) {
      mx = l;
    }
  }
  var sum = 0.0;
  for (var j = 0u; j < params.V; j++) {
    let e = exp(load_logits(row + j) - mx);
    probs[row + j] = e;
    sum = sum + e;
  }
  for (var j = 0u; j < params.V; j++) {
    probs[row + j] = probs[row + j] / sum;
  }
  let tgt = targets[n];
  var loss = bitcast<f32>(nan);
  if (tgt < params.V) {
    loss = (mx + log(sum)) - load_logits(row + tgt);
  }
  losses[n] = loss;
}
