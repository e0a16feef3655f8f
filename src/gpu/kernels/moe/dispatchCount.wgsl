// MoE dispatch, pass 1 of 2 (reference: dispatch.ts, dispatchForward). The assignments
// a = t * k + s of topIdx (N,k) are cut into chunks of params.chunk; one invocation per
// (chunk c, expert e) counts the assignments of its chunk routed to e:
//   chunkCounts (chunks, E) u32: chunkCounts[c * E + e].
// No atomics: every count is one invocation's loop, so nothing depends on timing.
// An expert index outside [0, E) is counted nowhere (the router never writes one).
// params: assignments (N*k), E, chunk, chunks.

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = linear_index(gid, nwg);
  if (id < params.chunks * params.E) {
    let c = id / params.E;
    let e = id % params.E;
    let a0 = c * params.chunk;
    let a1 = min(a0 + params.chunk, params.assignments);
    var n = 0u;
    for (var a = a0; a < a1; a++) {
      n += select(0u, 1u, topIdx[a] == e);
    }
    chunkCounts[id] = n;
  }
}
