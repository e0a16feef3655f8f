/**
 * WGSL conversions for one number format, generated from its description in numerics/formats.ts
 * (exponentBits, mantissaBits, bias, special): one template for every format, so the GPU rounds
 * exactly as numerics `encode` / `stochasticRound` do and decodes as `decode` does.
 *
 * Only integer operations on bit patterns: WGSL f32 arithmetic may flush subnormals and need not
 * round to nearest, and pack2x16float / quantizeToF16 leave rounding and overflow unspecified.
 * The one float operation is the i32 -> f32 conversion of a subnormal's significand m < 2^24,
 * exact by the WGSL spec and a normal f32 (nothing rounds, nothing can flush): it finds m's
 * leading bit at half the cost of firstLeadingBit on SwiftShader (fp16-amp steps 44 vs 84 ms).
 * inf/NaN are recognised from the exponent field of bitcast<u32>(x), never by x != x.
 *
 * Per format F (identifier fmt = wgslFormatId(F), constants FMT_*), all on f32 bit patterns:
 *   fn f32bits_to_<fmt>_bits(x: u32) -> u32      round to nearest, ties to even
 *   fn f32_to_<fmt>_bits(x: f32) -> u32
 *   fn <fmt>_bits_to_f32bits(b: u32) -> u32      exact (bf16 subnormals become f32 subnormals)
 *   fn <fmt>_bits_to_f32(b: u32) -> f32
 *   fn <fmt>_event(x: u32, b: u32) -> u32        EVENT_* code of casting f32 bits x to bits b
 *   fn stochastic_<fmt>_bits(x: u32, r: u32) -> u32   stochastic rounding with random word r
 */
import { FORMATS, type Format, type FormatName } from '../../numerics';

/** 'fp8-e4m3' -> 'fp8_e4m3': the name used in WGSL identifiers. */
export function wgslFormatId(name: FormatName): string {
  return name.replace(/-/g, '_');
}

/** Elements per u32 word of packed storage: fp32 1, fp16/bf16 2, fp8 4. */
export function lanesPerWord(name: FormatName): 1 | 2 | 4 {
  const bits = FORMATS[name].bits;
  if (bits === 32) return 1;
  if (bits === 16) return 2;
  if (bits === 8) return 4;
  throw new Error(`Format ${name} is ${bits} bits wide; packed storage needs 8, 16 or 32.`);
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}u`;

/** Integer facts of the format's bit layout (the same ones numerics/layout.ts uses). */
function layoutConstants(f: Format) {
  const expOnes = (1 << f.exponentBits) - 1;
  const unit = 1 << f.mantissaBits;
  // Magnitudes at or above this are not finite: inf for 'ieee', the only NaN for 'fn' (E4M3).
  const overflowMagnitude = f.special === 'ieee' ? expOnes * unit : expOnes * unit + unit - 1;
  return {
    expOnes,
    unit,
    overflowMagnitude,
    signShift: f.bits - 1,
    magMask: (1 << (f.bits - 1)) - 1,
  };
}

/** The WGSL conversion helpers of one narrow format (not fp32, whose conversions are identities). */
export function formatWgsl(name: FormatName): string {
  const f = FORMATS[name];
  if (f.bits >= 32 || f.mantissaBits >= 23 || f.exponentBits > 8) {
    throw new Error(`formatWgsl(${name}): only formats narrower than f32 have conversion helpers.`);
  }
  const id = wgslFormatId(name);
  const C = id.toUpperCase();
  const { expOnes, unit, overflowMagnitude, signShift, magMask } = layoutConstants(f);
  // Decode of subnormals: m * 2^subExp with subExp = 1 - bias - mb. Normal in f32 for some m when
  // -bias >= -126, subnormal in f32 (bf16) when subExp < -126; only reachable candidates are emitted.
  const subExp = 1 - f.bias - f.mantissaBits;
  const someSubnormalsAreF32Normal = -f.bias >= -126;
  const someSubnormalsAreF32Subnormal = subExp < -126;
  if (subExp < -149 || f.bias > 127) {
    throw new Error(
      `formatWgsl(${name}): the format's range does not fit in f32, so decoding could not be exact.`,
    );
  }
  const mantShift = 23 - f.mantissaBits; // format mantissa -> f32 mantissa
  // f32 exponent field of the format's smallest normal binade (>= 1 since bias <= 127).
  const lowestNormalE32 = 128 - f.bias;

  // Straight-line decode: every candidate is computed and `select` picks one, so SIMD lanes
  // (SwiftShader 4 wide, GPUs 32) never diverge; a branchy decode costs every path on each load.
  const specialDecode =
    f.special === 'ieee'
      ? 128 + f.bias - expOnes === 0
        ? '  let wide = normal; // inf and NaN rebias like normals: exponent field 255, payload kept'
        : `  let wide = normal + select(0u, ${hex((128 + f.bias - expOnes) << 23)}, mag >= ${hex(expOnes * unit)}); // inf / NaN: field 255, payload kept`
      : `  let wide = select(normal, 0x7FC00000u, mag == ${hex(magMask)}); // the only NaN; no inf`;
  const subCandidates: string[] = [];
  const subValues: string[] = [];
  if (someSubnormalsAreF32Normal) {
    // Normalising m needs its leading bit. firstLeadingBit, or a select search for it, costs about
    // as much as the rest of the decode again on SwiftShader (fp16-amp training 84 vs 44 ms a
    // step); i32 -> f32 of an integer below 2^24 is exact (WGSL: an exactly representable value
    // converts to itself; nothing rounds, nothing is subnormal), so f32(m) has the exponent field
    // 127 + p and m's bits below the leading one: lowering the field by -subExp gives m * 2^subExp.
    // max() keeps zero (f32 bits 0) at 0.
    const lower = hex(-subExp << 23);
    subCandidates.push(`  let sub_normal = max(bitcast<u32>(f32(i32(mag))), ${lower}) - ${lower};`);
    subValues.push('sub_normal');
  }
  if (someSubnormalsAreF32Subnormal) {
    // An f32 subnormal m * 2^subExp is the integer m * 2^(subExp + 149): built from bits.
    subCandidates.push(`  let sub_tiny = mag << ${subExp + 149}u;`);
    subValues.push('sub_tiny');
  }
  // m >= 2^(-126 - subExp) is an f32 normal.
  const subValue =
    subValues.length === 2
      ? `select(sub_tiny, sub_normal, mag >= ${hex(2 ** (-126 - subExp))})`
      : subValues[0];
  const picked = `select(wide, ${subValue}, mag < ${hex(unit)})`;

  // A format with f32's exponent field (bf16) is f32 with the low mantissa bits cut off: its bits
  // shifted up are the f32 bits of the same value in every case (zero, subnormal, inf, NaN).
  const truncatedF32 = f.exponentBits === 8 && f.bias === 127 && f.special === 'ieee';
  const decodeFn = truncatedF32
    ? `fn ${id}_bits_to_f32bits(b: u32) -> u32 { return b << ${32 - f.bits}u; }`
    : `fn ${id}_bits_to_f32bits(b: u32) -> u32 {
  let mag = b & ${hex(magMask)};
  let normal = (mag << ${mantShift}u) + ${hex((127 - f.bias) << 23)}; // rebias the exponent field
${specialDecode}
${subCandidates.join('\n')}
  let sign = (b << ${31 - signShift}u) & 0x80000000u;
  return sign | ${picked};
}`;

  return `// ---- ${f.label} (${name}): 1 sign, ${f.exponentBits} exponent, ${f.mantissaBits} mantissa bits, bias ${f.bias}, special '${f.special}'
const ${C}_MB = ${f.mantissaBits}u;            // mantissa bits
const ${C}_SIGN_SHIFT = ${signShift}u;
const ${C}_OVERFLOW_MAG = ${hex(overflowMagnitude)}; // ${f.special === 'ieee' ? 'inf' : 'NaN (no inf)'}; magnitudes >= it are not finite
const ${C}_NAN = ${hex(f.canonicalNaN)};          // quiet NaN stored for any NaN input

// Shared by both roundings, straight-line: (sig, shift, base) with |x| = sig * 2^(max(e32, 1) - 150)
// (sig has the hidden bit), shift the right shift that puts sig on the format's grid and base the
// format's exponent field of that grid, shifted into place. e = max(e32, ${lowestNormalE32}) clamps below the
// normal range, where the quantum stays the subnormal one and the shift grows instead.
fn ${id}_grid(x: u32) -> vec3<u32> {
  let e32 = (x >> 23u) & 0xFFu;
  let sig = (x & 0x7FFFFFu) | select(0u, 0x800000u, e32 != 0u);
  let e = max(e32, ${lowestNormalE32}u);
  return vec3<u32>(sig, ${mantShift}u + e - max(e32, 1u), (e - ${lowestNormalE32}u) << ${C}_MB);
}

// Round to nearest, ties to even, without branches: inf rounds past the largest finite value and
// is clamped to ${C}_OVERFLOW_MAG like any overflow; only NaN is picked apart.
fn f32bits_to_${id}_bits(x: u32) -> u32 {
  let g = ${id}_grid(x);
  // Past 25 the significand (< 2^24) is below half a quantum: it rounds to zero at any shift.
  let s = min(g.y, 25u);
  // Adding half - 1 plus the kept low bit carries into the quotient exactly when the rest is
  // above half, or equal to it with the quotient odd (sum < 2^26: no u32 overflow).
  let q = (g.x + (1u << (s - 1u)) - 1u + ((g.x >> s) & 1u)) >> s;
  // base + q: a carry out of the mantissa moves into the exponent field.
  let mag = min(g.z + q, ${C}_OVERFLOW_MAG);
  let sign = (x >> 31u) << ${C}_SIGN_SHIFT;
  return sign | select(mag, ${C}_NAN, (x & 0x7FFFFFFFu) > 0x7F800000u);
}

fn f32_to_${id}_bits(x: f32) -> u32 { return f32bits_to_${id}_bits(bitcast<u32>(x)); }

// Stochastic rounding as numerics stochasticRound: away from zero iff
// floor(rest * 2^(32 - shift)) + r >= 2^32, i.e. the u32 sum carries.
fn stochastic_${id}_bits(x: u32, r: u32) -> u32 {
  let g = ${id}_grid(x);
  let s = min(g.y, 31u);
  let q = g.x >> s;
  let rest = g.x & ((1u << s) - 1u);
  let scaled = select(rest >> min(g.y - 32u, 31u), rest << (32u - min(g.y, 32u)), g.y <= 32u);
  let up = scaled + r < r;
  let mag = min(g.z + q + select(0u, 1u, up), ${C}_OVERFLOW_MAG);
  let sign = (x >> 31u) << ${C}_SIGN_SHIFT;
  return sign | select(mag, ${C}_NAN, (x & 0x7FFFFFFFu) > 0x7F800000u);
}

${decodeFn}

fn ${id}_bits_to_f32(b: u32) -> f32 { return bitcast<f32>(${id}_bits_to_f32bits(b)); }

// The cast's event (numerics classify, first match wins): x f32 bits, b the result's bits.
// Selected from the last rule up, so the first matching rule is the one left.
fn ${id}_event(x: u32, b: u32) -> u32 {
  let mag = b & ${hex(magMask)};
  let ax = x & 0x7FFFFFFFu;
  let small = select(EVENT_SUBNORMAL, select(EVENT_NONE, EVENT_UNDERFLOW, ax != 0u), mag == 0u);
  let finite = select(select(EVENT_NONE, small, mag < ${hex(unit)}), EVENT_OVERFLOW, mag >= ${C}_OVERFLOW_MAG);
  return select(finite, EVENT_NONFINITE, ax >= 0x7F800000u);
}
`;
}

/** fp32 "conversions": identities on bits; the only event of an f32 -> f32 cast is nonfinite. */
export function fp32Wgsl(): string {
  return `// ---- FP32 (fp32): storage is the f32 bit pattern itself
fn f32bits_to_fp32_bits(x: u32) -> u32 { return x; }
fn stochastic_fp32_bits(x: u32, _r: u32) -> u32 { return x; }
fn fp32_bits_to_f32bits(b: u32) -> u32 { return b; }
fn fp32_event(x: u32, _b: u32) -> u32 {
  return select(EVENT_NONE, EVENT_NONFINITE, (x & 0x7F800000u) == 0x7F800000u);
}
`;
}
