// f32 arithmetic on bit patterns with integer operations only, each result rounded once to
// nearest even with gradual underflow: the CPU reference's Math.fround(a op b) on every GPU.
// WGSL lets `/` and `sqrt` be off by ulps, lets any f32 operation flush subnormals, and lets a
// backend fuse `a * b + c`; these do none of that. (A double result of +, -, *, / or sqrt of f32
// operands rounded to f32 is the correctly rounded f32 result: 53 >= 2 * 24 + 2, Figueroa 1995.)
// NaN results are the quiet NaN 0x7FC00000; signs of zeros follow IEEE 754 round to nearest.

// |x| = m * 2^s with m in [2^23, 2^24) (subnormals normalised); x finite and nonzero.
fn rn_unpack(x: u32) -> vec2<i32> {
  let e = (x >> 23u) & 0xFFu;
  let m = x & 0x7FFFFFu;
  if (e == 0u) {
    let sh = 23u - firstLeadingBit(m);
    return vec2<i32>(i32(m << sh), -149 - i32(sh));
  }
  return vec2<i32>(i32(m | 0x800000u), i32(e) - 150);
}

// The f32 nearest to sig * 2^e (+ a fraction of 2^e in (0, 1) when sticky), ties to even.
// sig > 0. Overflow gives inf; below the normal range the grid is 2^-149.
fn rn_pack(sign: u32, sig: u32, e: i32, sticky: bool) -> u32 {
  let p = i32(firstLeadingBit(sig));
  let biased = p + e + 127; // biased exponent of the leading bit
  if (biased > 254) { return sign | F32_INF_BITS; }
  let shift = max(p - 23, -149 - e); // bits of sig below the result's last place
  var q = 0u;
  var up = false;
  if (shift <= 0) {
    q = sig << u32(-shift); // exact (then sticky is false)
  } else if (shift >= 32) {
    up = shift == 32 && (sig > 0x80000000u || (sig == 0x80000000u && sticky));
  } else {
    q = sig >> u32(shift);
    let rest = sig & ((1u << u32(shift)) - 1u);
    let half = 1u << u32(shift - 1);
    up = rest > half || (rest == half && (sticky || (q & 1u) == 1u));
  }
  // Normal: (biased - 1) * 2^23 + q (q holds the hidden bit); a carry moves into the exponent,
  // up to inf. Subnormal: q alone; a carry gives the smallest normal.
  let base = select(0u, u32(biased - 1) << 23u, biased >= 1);
  return sign | min(base + q + select(0u, 1u, up), F32_INF_BITS);
}

fn rn_add_bits(x: u32, y: u32) -> u32 {
  if (bits_is_nan(x) || bits_is_nan(y)) { return F32_NAN_BITS; }
  let xa = x & 0x7FFFFFFFu;
  let ya = y & 0x7FFFFFFFu;
  if (xa == F32_INF_BITS) {
    return select(x, F32_NAN_BITS, ya == F32_INF_BITS && x != y);
  }
  if (ya == F32_INF_BITS) { return y; }
  if (ya == 0u) { return select(x, x & y, xa == 0u); } // -0 + -0 = -0, else +0
  if (xa == 0u) { return y; }
  // a: the larger magnitude (bit patterns order magnitudes).
  let swap = ya > xa;
  let a = select(x, y, swap);
  let b = select(y, x, swap);
  let ua = rn_unpack(a & 0x7FFFFFFFu);
  let ub = rn_unpack(b & 0x7FFFFFFFu);
  let d = u32(ua.y - ub.y);
  let ma = u32(ua.x) << 7u; // 7 guard bits: ma < 2^31
  let mb0 = u32(ub.x) << 7u;
  var mb = 0u;
  var sticky = mb0 != 0u;
  if (d < 32u) {
    mb = mb0 >> d;
    sticky = (mb0 & ((1u << d) - 1u)) != 0u;
  }
  let sign = a & 0x80000000u;
  if ((a ^ b) < 0x80000000u) {
    return rn_pack(sign, ma + mb, ua.y - 7, sticky);
  }
  // ma - (mb + f), f in (0, 1) when sticky: integer part ma - mb - 1, fraction 1 - f.
  let diff = ma - mb - select(0u, 1u, sticky);
  if (diff == 0u && !sticky) { return 0u; }
  return rn_pack(sign, diff, ua.y - 7, sticky);
}

fn rn_mul_bits(x: u32, y: u32) -> u32 {
  if (bits_is_nan(x) || bits_is_nan(y)) { return F32_NAN_BITS; }
  let sign = (x ^ y) & 0x80000000u;
  let xa = x & 0x7FFFFFFFu;
  let ya = y & 0x7FFFFFFFu;
  if (xa == F32_INF_BITS || ya == F32_INF_BITS) {
    return select(sign | F32_INF_BITS, F32_NAN_BITS, xa == 0u || ya == 0u);
  }
  if (xa == 0u || ya == 0u) { return sign; }
  let ux = rn_unpack(xa);
  let uy = rn_unpack(ya);
  // 24 x 24 -> 48-bit product from 12-bit halves; keep its top 32 bits and a sticky bit.
  let mx = u32(ux.x);
  let my = u32(uy.x);
  let xh = mx >> 12u;
  let xl = mx & 0xFFFu;
  let yh = my >> 12u;
  let yl = my & 0xFFFu;
  let mid = xh * yl + xl * yh; // < 2^25
  let low = ((mid & 0xFu) << 12u) + xl * yl; // < 2^25
  let top = ((xh * yh) << 8u) + (mid >> 4u) + (low >> 16u); // product >> 16
  return rn_pack(sign, top, ux.y + uy.y + 16, (low & 0xFFFFu) != 0u);
}

// The 64-bit product of a < 2^27 and b < 2^27 as (lo, hi) words.
fn rn_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xFFFFu;
  let ah = a >> 16u;
  let bl = b & 0xFFFFu;
  let bh = b >> 16u;
  let ll = al * bl;
  let mid = al * bh + ah * bl; // < 2^28
  let lo = ll + (mid << 16u);
  return vec2<u32>(lo, ah * bh + (mid >> 16u) + select(0u, 1u, lo < ll));
}

// (x_hi, x_lo) - (y.y, y.x) as an i32 when it fits, else the flag (false).
fn rn_sub_wide(x_hi: u32, x_lo: u32, y: vec2<u32>) -> vec2<i32> {
  let lo = x_lo - y.x;
  let hi = x_hi - y.y - select(0u, 1u, x_lo < y.x);
  let fits = (hi == 0u && lo < 0x80000000u) || (hi == 0xFFFFFFFFu && lo >= 0x80000000u);
  return vec2<i32>(bitcast<i32>(lo), select(0, 1, fits));
}

// floor(mx * 2^26 / my) and whether a remainder is left, mx, my in [2^23, 2^24).
// The device's division gives an estimate (WGSL: within 2.5 ulp, i.e. about 20 units of the
// 2^-26 grid); the exact remainder then moves it to the floor. Bit-serial division is the
// fallback for a device whose estimate is further off.
fn rn_div_sig(mx: u32, my: u32) -> vec2<u32> {
  var q = u32(f32(mx) / f32(my) * 67108864.0);
  let d = rn_sub_wide(mx >> 6u, mx << 26u, rn_mul_wide(q, my));
  var r = d.x;
  var steps = 0u;
  if (d.y == 1) {
    let iy = i32(my);
    for (; r < 0 && steps < 40u; steps++) {
      r += iy;
      q -= 1u;
    }
    for (; r >= iy && steps < 40u; steps++) {
      r -= iy;
      q += 1u;
    }
  }
  if (d.y == 1 && r >= 0 && r < i32(my)) {
    return vec2<u32>(q, select(0u, 1u, r != 0));
  }
  var rem = mx;
  q = 0u;
  for (var i = 0u; i < 27u; i++) {
    q = q << 1u;
    if (rem >= my) {
      rem -= my;
      q |= 1u;
    }
    rem = rem << 1u;
  }
  return vec2<u32>(q, select(0u, 1u, rem != 0u));
}

fn rn_div_bits(x: u32, y: u32) -> u32 {
  if (bits_is_nan(x) || bits_is_nan(y)) { return F32_NAN_BITS; }
  let sign = (x ^ y) & 0x80000000u;
  let xa = x & 0x7FFFFFFFu;
  let ya = y & 0x7FFFFFFFu;
  if (xa == F32_INF_BITS) { return select(sign | F32_INF_BITS, F32_NAN_BITS, ya == F32_INF_BITS); }
  if (ya == F32_INF_BITS) { return sign; }
  if (ya == 0u) { return select(sign | F32_INF_BITS, F32_NAN_BITS, xa == 0u); }
  if (xa == 0u) { return sign; }
  let ux = rn_unpack(xa);
  let uy = rn_unpack(ya);
  // q = floor(mx * 2^26 / my) in [2^25, 2^27).
  let q = rn_div_sig(u32(ux.x), u32(uy.x));
  return rn_pack(sign, q.x, ux.y - uy.y - 26, q.y != 0u);
}

// floor(sqrt(m * 2^26)) and whether a remainder is left, m in [2^23, 2^25). The device's sqrt
// gives an estimate; the exact remainder m * 2^26 - root^2 moves it to the floor. Digit-by-digit
// square root is the fallback for a device whose estimate is further off.
fn rn_sqrt_sig(m: u32) -> vec2<u32> {
  var root = u32(sqrt(f32(m)) * 8192.0);
  let d = rn_sub_wide(m >> 6u, m << 26u, rn_mul_wide(root, root));
  var r = d.x;
  var steps = 0u;
  if (d.y == 1) {
    // (root - 1)^2 = root^2 - 2 root + 1; (root + 1)^2 = root^2 + 2 root + 1.
    for (; r < 0 && steps < 40u; steps++) {
      r += i32(2u * root) - 1;
      root -= 1u;
    }
    for (; r > i32(2u * root) && steps < 40u; steps++) {
      r -= i32(2u * root) + 1;
      root += 1u;
    }
  }
  if (d.y == 1 && r >= 0 && r <= i32(2u * root)) {
    return vec2<u32>(root, select(0u, 1u, r != 0));
  }
  // Two bits of m * 2^26 (< 2^51) per step from the top: rem = M - root^2 <= 2 root.
  root = 0u;
  var rem = 0u;
  for (var j = 0; j < 26; j++) {
    let pair = select(0u, (m >> u32(24 - 2 * j)) & 3u, j <= 12);
    rem = (rem << 2u) | pair;
    let trial = (root << 2u) | 1u;
    if (rem >= trial) {
      rem -= trial;
      root = (root << 1u) | 1u;
    } else {
      root = root << 1u;
    }
  }
  return vec2<u32>(root, select(0u, 1u, rem != 0u));
}

fn rn_sqrt_bits(x: u32) -> u32 {
  if (bits_is_nan(x)) { return F32_NAN_BITS; }
  if ((x & 0x7FFFFFFFu) == 0u) { return x; } // sqrt(-0) = -0
  if (x >= 0x80000000u) { return F32_NAN_BITS; }
  if (x == F32_INF_BITS) { return x; }
  let u = rn_unpack(x);
  var m = u32(u.x);
  var s = u.y;
  if ((s & 1) != 0) { // make the exponent even: m < 2^25
    m = m << 1u;
    s -= 1;
  }
  // sqrt(m * 2^s) = sqrt(m * 2^26) * 2^((s - 26) / 2); the root lies in [2^24, 2^25.5).
  let root = rn_sqrt_sig(m);
  return rn_pack(0u, root.x, (s - 26) / 2, root.y != 0u);
}

fn f_add(a: u32, b: u32) -> u32 { return rn_add_bits(a, b); }
fn f_sub(a: u32, b: u32) -> u32 { return rn_add_bits(a, b ^ 0x80000000u); }
fn f_mul(a: u32, b: u32) -> u32 { return rn_mul_bits(a, b); }
fn f_div(a: u32, b: u32) -> u32 { return rn_div_bits(a, b); }
fn f_sqrt(a: u32) -> u32 { return rn_sqrt_bits(a); }
