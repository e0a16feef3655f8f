// MoE gather (reference: dispatch.ts, gatherForward): out (R,C) row r = inp (N,C) row tokenOf[r].
// A copy of the stored bits: out and inp share one format, nothing is rounded, no events.
// One invocation per out word; with odd C a packed word holds the end of one row and the start
// of the next, each lane fetched from its own token. params: R, C, words (of out).

const LANE_MASK = 0xFFFFFFFFu >> (32u - OUT_BITS);

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg);
  if (w < params.words) {
    let n = params.R * params.C;
    var word = 0u;
    for (var l = 0u; l < OUT_LANES; l++) {
      let i = w * OUT_LANES + l;
      if (i < n) {
        let j = tokenOf[i / params.C] * params.C + i % params.C;
        let b = (inp[j / INP_LANES] >> ((j % INP_LANES) * INP_BITS)) & LANE_MASK;
        word |= b << (l * OUT_BITS);
      }
    }
    store_out_word(w, word);
  }
}
