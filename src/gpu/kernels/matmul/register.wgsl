// Register-blocked matmul: each invocation accumulates an 8 x 8 block of outputs in registers
// (16 vec4 accumulators), reading A and B straight from global memory: no workgroup memory and no
// barriers, which software adapters such as SwiftShader run slowly. Per k: 8 loads of A, 8 of B,
// 64 multiply-adds. On SwiftShader 8 x 8 blocks ran 2-3x faster than 4 x 4 (loads dominate).
const TM = 8u;
const TN = 8u;
const WT_M = WG_Y * TM;
const WT_N = WG_X * TN;

@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_of(wid);
  let i0 = t.row0 + lid.y * TM;
  let j0 = t.col0 + lid.x * TN;
  var tally = vec4<u32>(0u);
  if (i0 < t.row_end && j0 < params.N) {
    // Rows and columns past the edge read the last valid one; their results are not stored.
    let last_row = vec4<u32>(t.row_end - 1u);
    let last_col = vec4<u32>(params.N - 1u);
    let step = vec4<u32>(0u, 1u, 2u, 3u);
    let rows0 = vec4<u32>(t.a_base) + min(vec4<u32>(i0) + step, last_row) * params.a_si;
    let rows1 = vec4<u32>(t.a_base) + min(vec4<u32>(i0 + 4u) + step, last_row) * params.a_si;
    let cols0 = vec4<u32>(t.b_base) + min(vec4<u32>(j0) + step, last_col) * params.b_sj;
    let cols1 = vec4<u32>(t.b_base) + min(vec4<u32>(j0 + 4u) + step, last_col) * params.b_sj;
    var acc0a = vec4<f32>(0.0);
    var acc0b = vec4<f32>(0.0);
    var acc1a = vec4<f32>(0.0);
    var acc1b = vec4<f32>(0.0);
    var acc2a = vec4<f32>(0.0);
    var acc2b = vec4<f32>(0.0);
    var acc3a = vec4<f32>(0.0);
    var acc3b = vec4<f32>(0.0);
    var acc4a = vec4<f32>(0.0);
    var acc4b = vec4<f32>(0.0);
    var acc5a = vec4<f32>(0.0);
    var acc5b = vec4<f32>(0.0);
    var acc6a = vec4<f32>(0.0);
    var acc6b = vec4<f32>(0.0);
    var acc7a = vec4<f32>(0.0);
    var acc7b = vec4<f32>(0.0);
    var ka = t.k0 * params.a_sk;
    var kb = t.k0 * params.b_sk;
    for (var k = t.k0; k < t.k1; k++) {
      let b0 = vec4<f32>(load_b(cols0.x + kb), load_b(cols0.y + kb), load_b(cols0.z + kb), load_b(cols0.w + kb));
      let b1 = vec4<f32>(load_b(cols1.x + kb), load_b(cols1.y + kb), load_b(cols1.z + kb), load_b(cols1.w + kb));
      let a0 = load_a(rows0.x + ka);
      let a1 = load_a(rows0.y + ka);
      let a2 = load_a(rows0.z + ka);
      let a3 = load_a(rows0.w + ka);
      let a4 = load_a(rows1.x + ka);
      let a5 = load_a(rows1.y + ka);
      let a6 = load_a(rows1.z + ka);
      let a7 = load_a(rows1.w + ka);
      acc0a = acc0a + a0 * b0;
      acc0b = acc0b + a0 * b1;
      acc1a = acc1a + a1 * b0;
      acc1b = acc1b + a1 * b1;
      acc2a = acc2a + a2 * b0;
      acc2b = acc2b + a2 * b1;
      acc3a = acc3a + a3 * b0;
      acc3b = acc3b + a3 * b1;
      acc4a = acc4a + a4 * b0;
      acc4b = acc4b + a4 * b1;
      acc5a = acc5a + a5 * b0;
      acc5b = acc5b + a5 * b1;
      acc6a = acc6a + a6 * b0;
      acc6b = acc6b + a6 * b1;
      acc7a = acc7a + a7 * b0;
      acc7b = acc7b + a7 * b1;
      ka += params.a_sk;
      kb += params.b_sk;
    }
    // Copied out of the registers so the epilogue can loop over rows (one copy of its code).
    var acc = array<vec4<f32>, 16>(
      acc0a, acc0b, acc1a, acc1b, acc2a, acc2b, acc3a, acc3b,
      acc4a, acc4b, acc5a, acc5b, acc6a, acc6b, acc7a, acc7b,
    );
    for (var r = 0u; r < TM; r++) {
      if (i0 + r < t.row_end) {
        tally += store_row(t, i0 + r, j0, acc[2u * r], acc[2u * r + 1u]);
      }
    }
  }
  // Reached by every invocation: subgroupAdd needs uniform control flow.
  flush_events(params.group, tally);
}
