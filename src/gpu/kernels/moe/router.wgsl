// MoE router after its linear layer (reference: src/model/reference/router.ts, routerForward).
// logits, probs (N,E) and gates (N,k) in the router's storage format; topIdx (N,k) u32.
// One invocation owns a PAIR of tokens (2q, 2q+1): their 2E probabilities and 2k gates start on an
// even element, so every packed word it writes is whole for any E, k and N (the last pair of an
// odd N holds one token; the unused half of its last word is written as zero).
// Softmax in f32: x = exp(l - max), sum ascending, p = store(x / sum). Experts are ranked by the
// STORED probability, ties to the lower index. Gates: k = 1 the stored probability itself (not a
// cast, no event); k >= 2 store(p / S), S the f32 sum of the selected stored probabilities in rank
// order. Events: every store to probs and to the k >= 2 gates, in counter group params.group.
// params: N, E (1..16), k (1..E), group.

const MAX_E = 16u;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let q = linear_index(gid, nwg);
  let E = params.E;
  let k = params.k;
  var tally = vec4<u32>(0u);
  if (2u * q < params.N) {
    let t0 = 2u * q;
    let t1 = min(t0 + 2u, params.N);
    var word = 0u;
    for (var t = t0; t < t1; t++) {
      let row = t * E;
      // The reference starts from -inf and keeps l > max: the same maximum, and NaN rows give NaN
      // probabilities either way.
      var mx = load_logits(row);
      for (var e = 1u; e < E; e++) {
        let l = load_logits(row + e);
        if (l > mx) { mx = l; }
      }
      var ex: array<f32, MAX_E>;
      var sum = 0.0;
      for (var e = 0u; e < E; e++) {
        ex[e] = exp(load_logits(row + e) - mx);
        sum = sum + ex[e];
      }
      for (var e = 0u; e < E; e++) {
        let i = row + e;
        let x = bitcast<u32>(ex[e] / sum);
        let b = probs_encode(x);
        tally += event_onehot(probs_event(x, b));
        word |= b << ((i % PROBS_LANES) * PROBS_BITS);
        if ((i + 1u) % PROBS_LANES == 0u || i + 1u == t1 * E) {
          store_probs_word(i / PROBS_LANES, word);
          word = 0u;
        }
      }
    }
    // Top-k on the stored probabilities: load_probs reads back the words this invocation wrote.
    var gword = 0u;
    for (var t = t0; t < t1; t++) {
      let row = t * E;
      var taken = 0u; // bit e set: expert e already selected
      var s = 0.0;
      for (var j = 0u; j < k; j++) {
        var best = E;
        var bestP = 0.0;
        for (var e = 0u; e < E; e++) {
          if (((taken >> e) & 1u) == 1u) { continue; }
          let p = load_probs(row + e);
          if (best == E || p > bestP) {
            best = e;
            bestP = p;
          }
        }
        taken |= 1u << best;
        topIdx[t * k + j] = best;
        s = s + bestP;
      }
      for (var j = 0u; j < k; j++) {
        let i = t * k + j;
        let p = load_probs(row + topIdx[i]);
        var b: u32;
        if (k == 1u) {
          b = gates_encode(bitcast<u32>(p)); // a value of the format already: exact
        } else {
          let x = bitcast<u32>(p / s);
          b = gates_encode(x);
          tally += event_onehot(gates_event(x, b));
        }
        gword |= b << ((i % GATES_LANES) * GATES_BITS);
        if ((i + 1u) % GATES_LANES == 0u || i + 1u == t1 * k) {
          store_gates_word(i / GATES_LANES, gword);
          gword = 0u;
        }
      }
    }
  }
  // Outside every branch: all invocations reach it (subgroupAdd needs uniform control flow).
  flush_events(params.group, tally);
}
