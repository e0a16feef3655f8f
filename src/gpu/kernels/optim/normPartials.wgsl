// Gradient (or weight) norms, stage 1 of 3: partial sums of squares. Tensor t (offset, size in
// elements of x) is split into `lanes` interleaved slots: slot k sums x[offset + k + lanes * i]
// for i = 0, 1, ... in that order, so neighbouring invocations read neighbouring elements and
// the order is fixed (no atomics, no shared memory). The squares and sums use the device's f32
// arithmetic (this is the hot loop; the reduction order differs from the CPU's anyway), and
// every element is checked for inf/NaN on its bits.
// plan: tensors * 4 words (offset, size, lanes, first slot), then the tensor of each slot.
// partials: per slot (sum of squares as f32 bits, 1 if an element was inf/NaN).
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let slot = linear_index(gid, nwg);
  if (slot >= params.slots) {
    return;
  }
  let t = plan[4u * params.tensors + slot];
  let offset = plan[4u * t];
  let size = plan[4u * t + 1u];
  let lanes = plan[4u * t + 2u];
  var sum = 0.0f;
  var nonfinite = 0u;
  for (var i = slot - plan[4u * t + 3u]; i < size; i += lanes) {
    let g = load_x_bits(offset + i);
    nonfinite |= select(1u, 0u, bits_is_finite(g));
    let x = bitcast<f32>(g);
    sum = sum + x * x;
  }
  partials[2u * slot] = bitcast<u32>(sum);
  partials[2u * slot + 1u] = nonfinite;
}
