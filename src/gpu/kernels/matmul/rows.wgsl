// Grouped rows: rows [offsets[e], offsets[e+1]) of A (R = M rows in all) are multiplied by expert
// e's B (at e * b_batch) [+ bias (E, N) row e]. out (R, N). params.batch = E.
// Workgroup y is a tile index over all experts' row tiles in expert order: expert e has
// ceil(count_e / WT_M) of them, so ceil(R / WT_M) + E tiles always suffice and the dispatch does
// not depend on the counts. Tiles past the last one are empty.
fn tile_of(wid: vec3<u32>) -> Tile {
  var tau = wid.y;
  for (var e = 0u; e < params.batch; e++) {
    let r0 = offsets[e];
    let r1 = offsets[e + 1u];
    let tiles = (r1 - r0 + WT_M - 1u) / WT_M;
    if (tau < tiles) {
      return Tile(r0 + tau * WT_M, r1, 0u, params.K, 0u, e * params.b_batch, 0u, e * params.N,
                  wid.x * WT_N);
    }
    tau -= tiles;
  }
  return Tile(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, wid.x * WT_N);
}

fn expert_of_row(r: u32) -> u32 {
  var e = 0u;
  while (e + 1u < params.batch && offsets[e + 1u] <= r) {
    e++;
  }
  return e;
}

fn locate(f: u32) -> Tile {
  let e = expert_of_row(f / params.N);
  return Tile(0u, params.M, 0u, params.K, 0u, e * params.b_batch, 0u, e * params.N, 0u);
}
