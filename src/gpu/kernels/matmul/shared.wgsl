// Shared-memory tiled matmul: the workgroup stages a TK-deep slice of A (WT_M rows) and of B
// (WT_N columns) in workgroup memory, decoded to f32, and each invocation accumulates a 4 x 4
// block from it. The classic layout for GPUs with fast barriers and on-chip shared memory.
const TM = 4u;
const TN = 4u;
const TK = 16u;
const WT_M = WG_Y * TM;
const WT_N = WG_X * TN;
const THREADS = WG_X * WG_Y;

var<workgroup> tile_a: array<f32, TK * WT_M>; // (TK, WT_M)
var<workgroup> tile_b: array<f32, TK * WT_N>; // (TK, WT_N)
var<workgroup> wg_tile: Tile;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  if (li == 0u) {
    wg_tile = tile_of(wid);
  }
  // The tile (and so every loop bound below) is uniform across the workgroup, as barriers need.
  let t = workgroupUniformLoad(&wg_tile);
  let i0 = t.row0 + lid.y * TM;
  let j0 = t.col0 + lid.x * TN;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let last_row = max(t.row_end, t.row0 + 1u) - 1u;
  let last_col = params.N - 1u;
  // Lanes walk the operand's contiguous dimension when it has one.
  let a_k_fast = params.a_sk == 1u;
  let b_j_fast = params.b_sj == 1u;
  if (t.row0 < t.row_end) {
    for (var kt = t.k0; kt < t.k1; kt += TK) {
      let kn = min(TK, t.k1 - kt);
      for (var e = li; e < TK * WT_M; e += THREADS) {
        let kk = select(e / WT_M, e % TK, a_k_fast);
        let r = select(e % WT_M, e / TK, a_k_fast);
        let row = min(t.row0 + r, last_row);
        var v = 0.0;
        if (kk < kn) {
          v = load_a(t.a_base + row * params.a_si + (kt + kk) * params.a_sk);
        }
        tile_a[kk * WT_M + r] = v;
      }
      for (var e = li; e < TK * WT_N; e += THREADS) {
        let kk = select(e / WT_N, e % TK, !b_j_fast);
        let c = select(e % WT_N, e / TK, !b_j_fast);
        let col = min(t.col0 + c, last_col);
        var v = 0.0;
        if (kk < kn) {
          v = load_b(t.b_base + (kt + kk) * params.b_sk + col * params.b_sj);
        }
        tile_b[kk * WT_N + c] = v;
      }
      workgroupBarrier();
      let ar = lid.y * TM;
      let bc = lid.x * TN;
      for (var kk = 0u; kk < kn; kk++) {
        let a = vec4<f32>(tile_a[kk * WT_M + ar], tile_a[kk * WT_M + ar + 1u],
                          tile_a[kk * WT_M + ar + 2u], tile_a[kk * WT_M + ar + 3u]);
        let b = vec4<f32>(tile_b[kk * WT_N + bc], tile_b[kk * WT_N + bc + 1u],
                          tile_b[kk * WT_N + bc + 2u], tile_b[kk * WT_N + bc + 3u]);
        acc0 = acc0 + a.x * b;
        acc1 = acc1 + a.y * b;
        acc2 = acc2 + a.z * b;
        acc3 = acc3 + a.w * b;
      }
      workgroupBarrier();
    }
  }
  var tally = vec4<u32>(0u);
  if (i0 < t.row_end && j0 < params.N) {
    tally += store_row(t, i0, j0, acc0, acc0);
    if (i0 + 1u < t.row_end) { tally += store_row(t, i0 + 1u, j0, acc1, acc1); }
    if (i0 + 2u < t.row_end) { tally += store_row(t, i0 + 2u, j0, acc2, acc2); }
    if (i0 + 3u < t.row_end) { tally += store_row(t, i0 + 3u, j0, acc3, acc3); }
  }
  flush_events(params.group, tally);
}
