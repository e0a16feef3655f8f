// Plain batched matmul: out (batch, M, N) = op(A) · op(B) [+ bias (N)], operand q at q * a_batch
// and q * b_batch. Workgroups: x column tiles, y row tiles, z batch entries.
fn tile_of(wid: vec3<u32>) -> Tile {
  let q = wid.z;
  return Tile(wid.y * WT_M, params.M, 0u, params.K, q * params.a_batch, q * params.b_batch,
              q * params.M * params.N, 0u, wid.x * WT_N);
}

fn locate(f: u32) -> Tile {
  let q = f / (params.M * params.N);
  return Tile(0u, params.M, 0u, params.K, q * params.a_batch, q * params.b_batch,
              q * params.M * params.N, 0u, 0u);
}
