// Grouped weight gradient: out (E, M, N), expert e's matrix sums over the rows of its segment,
// k in [offsets[e], offsets[e+1]) ascending (absolute row indices into A and B). An empty segment
// gives zeros. Workgroups: x column tiles, y row tiles, z experts.
fn tile_of(wid: vec3<u32>) -> Tile {
  let e = wid.z;
  return Tile(wid.y * WT_M, params.M, offsets[e], offsets[e + 1u], 0u, 0u,
              e * params.M * params.N, 0u, wid.x * WT_N);
}

fn locate(f: u32) -> Tile {
  let e = f / (params.M * params.N);
  return Tile(0u, params.M, offsets[e], offsets[e + 1u], 0u, 0u, e * params.M * params.N, 0u, 0u);
}
