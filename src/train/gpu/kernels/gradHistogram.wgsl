// Log2 histogram of |g| over the spans of one gradient buffer (train/metrics GradHistogram), read
// from the bits, so no f32 arithmetic (and no subnormal flushing) is involved:
//   exponent field e in 1..254: floor(log2|g|) = e - 127; e == 0 (subnormal, mantissa m != 0):
//   floor(log2 m) - 149; e == 255: inf or NaN.
// spans: per span (offset in elements of g, size, first index in the concatenation of spans).
// Invocation k takes the elements [k * chunk, (k + 1) * chunk) of that concatenation, counts into
// a private array, then adds each non-zero count with one atomicAdd (no barriers, no float atomics).
// hist (HIST_WORDS u32): [0, BINS) binades from 2^MIN_EXPONENT, then below, above, zeros, nonfinite.
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  let begin = k * params.chunk;
  if (begin >= params.total) {
    return;
  }
  let end = min(begin + params.chunk, params.total);
  // The last span whose first index is <= begin.
  var lo = 0u;
  var hi = params.spans - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (spans[3u * mid + 2u] <= begin) {
      lo = mid;
    } else {
      hi = mid - 1u;
    }
  }
  var s = lo;
  var counts: array<u32, HIST_WORDS>;
  for (var j = begin; j < end; j++) {
    while (j >= spans[3u * s + 2u] + spans[3u * s + 1u]) {
      s++;
    }
    let b = load_g_bits(spans[3u * s] + j - spans[3u * s + 2u]) & 0x7fffffffu;
    if (b == 0u) {
      counts[HIST_ZEROS] += 1u;
      continue;
    }
    let field = b >> 23u;
    if (field == 0xffu) {
      counts[HIST_NONFINITE] += 1u;
      continue;
    }
    var exponent: i32;
    if (field == 0u) {
      exponent = (31 - i32(countLeadingZeros(b))) - 149;
    } else {
      exponent = i32(field) - 127;
    }
    if (exponent < MIN_EXPONENT) {
      counts[HIST_BELOW] += 1u;
    } else if (exponent >= MAX_EXPONENT) {
      counts[HIST_ABOVE] += 1u;
    } else {
      counts[u32(exponent - MIN_EXPONENT)] += 1u;
    }
  }
  for (var w = 0u; w < HIST_WORDS; w++) {
    if (counts[w] != 0u) {
      atomicAdd(&hist[w], counts[w]);
    }
  }
}
