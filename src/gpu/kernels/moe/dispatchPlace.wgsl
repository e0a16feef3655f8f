// MoE dispatch, pass 2 of 2 (reference: dispatch.ts, dispatchForward, a counting sort).
// Invocation (chunk c, expert e) finds the first grouped row of its assignments,
//   base = sum_{e' < e} counts[e'] + sum_{c' < c} chunkCounts[c' * E + e],
// then walks its chunk in assignment order (token ascending, then slot), so rows are ordered by
// expert, then token, exactly as the reference's cursor loop:
//   tokenOf (N*k) u32: token of each grouped row;  rowOf (N,k) u32: row of each (token, slot).
// Chunk 0 also writes the expert load counts[e] (E) and offsets[e] (E+1); the last expert writes
// offsets[E] (= N*k). params: assignments (N*k), E, k, chunk, chunks.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = linear_index(gid, nwg);
  if (id < params.chunks * params.E) {
    let E = params.E;
    let c = id / E;
    let e = id % E;
    var below = 0u; // assignments of experts < e, all chunks
    var before = 0u; // assignments of expert e in chunks < c
    var total = 0u; // assignments of expert e, all chunks
    for (var cc = 0u; cc < params.chunks; cc++) {
      for (var ee = 0u; ee < e; ee++) {
        below += chunkCounts[cc * E + ee];
      }
      let n = chunkCounts[cc * E + e];
      total += n;
      before += select(0u, n, cc < c);
    }
    if (c == 0u) {
      counts[e] = total;
      offsets[e] = below;
      if (e == E - 1u) { offsets[E] = below + total; }
    }
    var row = below + before;
    let a0 = c * params.chunk;
    let a1 = min(a0 + params.chunk, params.assignments);
    for (var a = a0; a < a1; a++) {
      if (topIdx[a] == e) {
        tokenOf[row] = a / params.k;
        rowOf[a] = row;
        row++;
      }
    }
  }
}
