// f32 arithmetic on bit patterns with the GPU's own operations: fast, but WGSL lets `/` and
// `sqrt` be off by ulps, lets any operation flush subnormals and lets a backend fuse a * b + c,
// so results may differ from the CPU reference in the last bits on some devices.
fn f_add(a: u32, b: u32) -> u32 { return bitcast<u32>(bitcast<f32>(a) + bitcast<f32>(b)); }
fn f_sub(a: u32, b: u32) -> u32 { return bitcast<u32>(bitcast<f32>(a) - bitcast<f32>(b)); }
fn f_mul(a: u32, b: u32) -> u32 { return bitcast<u32>(bitcast<f32>(a) * bitcast<f32>(b)); }
fn f_div(a: u32, b: u32) -> u32 { return bitcast<u32>(bitcast<f32>(a) / bitcast<f32>(b)); }
fn f_sqrt(a: u32) -> u32 { return bitcast<u32>(sqrt(bitcast<f32>(a))); }
