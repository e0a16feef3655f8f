// Shared by every matmul kernel: the tile a workgroup owns, the scalar dot product of one output
// element, and the epilogue that adds the bias, rounds to the output format and counts the cast
// events. Mode files (plain / rows / weightGrad .wgsl) supply tile_of and locate; the generated
// head supplies add_bias.
//
// Operands by uniform strides, so one body serves NN, NT and TN:
//   A(i, k) = a[t.a_base + i * params.a_si + k * params.a_sk]
//   B(k, j) = b[t.b_base + k * params.b_sk + j * params.b_sj]
//   out element (i, j) is flattened index f = t.out_base + i * params.N + j.
// Precision: acc starts at 0 and takes acc + a * b over k ascending in f32 (the reference's
// round(acc + round(a * b)); WGSL may contract it into an fma), then acc + bias, then one
// round to the output format with the prelude's integer round-to-nearest-even.

struct Tile {
  row0: u32,      // first output row of the workgroup tile
  row_end: u32,   // rows [row0, row_end) of this tile's matrix are valid
  k0: u32,        // inner index range [k0, k1), ascending
  k1: u32,
  a_base: u32,
  b_base: u32,
  out_base: u32,
  bias_base: u32,
  col0: u32,      // first output column of the workgroup tile
}

// Output element f computed alone (the high half of a packed word whose low half is the last
// element of a row: it lies in the next row, batch entry or expert).
fn dot_at(f: u32) -> f32 {
  let t = locate(f);
  let i = (f - t.out_base) / params.N;
  let j = (f - t.out_base) % params.N;
  var ia = t.a_base + i * params.a_si + t.k0 * params.a_sk;
  var ib = t.b_base + j * params.b_sj + t.k0 * params.b_sk;
  var acc = 0.0;
  for (var k = t.k0; k < t.k1; k++) {
    acc = acc + load_a(ia) * load_b(ib);
    ia += params.a_sk;
    ib += params.b_sk;
  }
  return add_bias(acc, t.bias_base + j);
}

// Writes row i's outputs for columns j0 .. j0 + TN - 1 (TN = 4 or 8, the variant's block width;
// v0 holds columns j0..j0+3, v1 the next four; accumulators before the bias) and returns the
// event tally. Packed 16-bit output: this invocation writes each word whose LOW element is one of
// its columns, so every word has exactly one writer; the high element comes from the block or,
// past the block or the row, from dot_at. The unused high lane of the very last word stays zero.
fn store_row(t: Tile, i: u32, j0: u32, v0: vec4<f32>, v1: vec4<f32>) -> vec4<u32> {
  var tally = vec4<u32>(0u);
  let rs = t.out_base + i * params.N;
  for (var c = 0u; c < TN; c++) {
    let j = j0 + c;
    if (j >= params.N) {
      break;
    }
    let f = rs + j;
    let x = bitcast<u32>(add_bias(select(v1[c & 3u], v0[c & 3u], c < 4u), t.bias_base + j));
    if (OUT_LANES == 1u) {
      let b = out_encode(x);
      tally += event_onehot(out_event(x, b));
      store_out_word(f, b);
    } else if ((f & 1u) == 0u) {
      var word = out_encode(x);
      tally += event_onehot(out_event(x, word));
      if (f + 1u < params.total) {
        var y: u32;
        let d = c + 1u;
        if (d < TN && j + 1u < params.N) {
          y = bitcast<u32>(add_bias(select(v1[d & 3u], v0[d & 3u], d < 4u), t.bias_base + j + 1u));
        } else {
          y = bitcast<u32>(dot_at(f + 1u));
        }
        let hb = out_encode(y);
        tally += event_onehot(out_event(y, hb));
        word |= hb << 16u;
      }
      store_out_word(f >> 1u, word);
    }
  }
  return tally;
}
