/**
 * WGSL conversions for one number format, generated from its description in numerics/formats.ts
 * (exponentBits, mantissaBits, bias, special): one template for every format, so the GPU rounds
 * exactly as numerics `encode` / `stochasticRound` do and decodes as `decode` does.
 *
 * Only integer operations on bit patterns: WGSL f32 arithmetic may flush subnormals and need not
 * round to nearest, and pack2x16float / quantizeToF16 leave rounding and overflow unspecified.
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
/** ' + 5' or ' - 112': an i32 offset written as WGSL. */
const plus = (k: number) => (k === 0 ? '' : k < 0 ? ` - ${-k}` : ` + ${k}`);

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
  // Decode of subnormals: m * 2^(1 - bias - mb). Its f32 exponent p + (1 - bias - mb) for the
  // leading bit p of m is normal in f32 for some m when -bias >= -126, subnormal in f32 (bf16)
  // when 1 - bias - mb < -126; only the branches a format can reach are emitted.
  const subExp = 1 - f.bias - f.mantissaBits;
  const someSubnormalsAreF32Normal = -f.bias >= -126;
  const someSubnormalsAreF32Subnormal = subExp < -126;
  if (subExp < -149 || f.bias > 127) {
    throw new Error(
      `formatWgsl(${name}): the format's range does not fit in f32, so decoding could not be exact.`,
    );
  }
  const subnormalDecode = [
    someSubnormalsAreF32Normal
      ? `    let p = firstLeadingBit(m);
    let e32 = i32(p)${plus(subExp + 127)};
    if (e32 >= 1) { return sign | (u32(e32) << 23u) | ((m ^ (1u << p)) << (23u - p)); }`
      : '',
    someSubnormalsAreF32Subnormal
      ? `    return sign | (m << ${150 - f.bias - f.mantissaBits}u); // an f32 subnormal: built from bits, no arithmetic`
      : '    return sign; // not reached: every subnormal of this format is an f32 normal',
  ]
    .filter(Boolean)
    .join('\n');
  const nanDecode =
    f.special === 'ieee'
      ? `  if (e == ${expOnes}u) { return sign | 0x7F800000u | (m << ${23 - f.mantissaBits}u); } // inf (m = 0) or NaN`
      : `  if (e == ${expOnes}u && m == ${unit - 1}u) { return sign | 0x7FC00000u; } // the only NaN; no inf`;

  // A format with f32's exponent field (bf16) is f32 with the low mantissa bits cut off: its bits
  // shifted up are the f32 bits of the same value in every case (zero, subnormal, inf, NaN).
  const truncatedF32 = f.exponentBits === 8 && f.bias === 127 && f.special === 'ieee';
  const decodeFn = truncatedF32
    ? `fn ${id}_bits_to_f32bits(b: u32) -> u32 { return b << ${32 - f.bits}u; }`
    : `fn ${id}_bits_to_f32bits(b: u32) -> u32 {
  let sign = ((b >> ${C}_SIGN_SHIFT) & 1u) << 31u;
  let e = (b >> ${C}_MB) & ${expOnes}u;
  let m = b & ${unit - 1}u;
${nanDecode}
  if (e == 0u) {
    if (m == 0u) { return sign; }
${subnormalDecode}
  }
  return sign | ((e${f.bias === 127 ? '' : ` + ${127 - f.bias}u`}) << 23u) | (m << ${23 - f.mantissaBits}u);
}`;

  return `// ---- ${f.label} (${name}): 1 sign, ${f.exponentBits} exponent, ${f.mantissaBits} mantissa bits, bias ${f.bias}, special '${f.special}'
const ${C}_MB = ${f.mantissaBits}u;            // mantissa bits
const ${C}_SIGN_SHIFT = ${signShift}u;
const ${C}_OVERFLOW_MAG = ${hex(overflowMagnitude)}; // ${f.special === 'ieee' ? 'inf' : 'NaN (no inf)'}; magnitudes >= it are not finite
const ${C}_NAN = ${hex(f.canonicalNaN)};          // quiet NaN stored for any NaN input

// Shared by both roundings: the f32 significand (hidden bit included) and the shift that puts it
// on the format's grid. |x| = sig * 2^(max(e32, 1) - 150); t is the format's biased exponent.
// Returns (sig, shift, te - 1) where te = max(t, 1): below the normal range the quantum stays at
// the subnormal one, so the shift grows by 1 - t.
fn ${id}_grid(x: u32) -> vec3<u32> {
  let e32 = (x >> 23u) & 0xFFu;
  let sig = select(x & 0x7FFFFFu, (x & 0x7FFFFFu) | 0x800000u, e32 != 0u);
  let t = i32(max(e32, 1u))${plus(f.bias - 127)};
  let te = max(t, 1);
  return vec3<u32>(sig, u32(${23 - f.mantissaBits} + (te - t)), u32(te - 1));
}

fn f32bits_to_${id}_bits(x: u32) -> u32 {
  let sign = (x >> 31u) << ${C}_SIGN_SHIFT;
  if ((x & 0x7F800000u) == 0x7F800000u) {
    return sign | select(${C}_OVERFLOW_MAG, ${C}_NAN, (x & 0x7FFFFFu) != 0u);
  }
  let g = ${id}_grid(x);
  // Past 25 the significand (< 2^24) is below half a quantum: it rounds to zero at any shift.
  let shift = min(g.y, 25u);
  let q = g.x >> shift;
  let rest = g.x & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  // Round to nearest, ties to even (guard bit = rest >= half, sticky = rest != half).
  let up = rest > half || (rest == half && (q & 1u) == 1u);
  // (te - 1) * 2^mb + q: a carry out of the mantissa moves into the exponent field.
  let mag = (g.z << ${C}_MB) + q + select(0u, 1u, up);
  return sign | min(mag, ${C}_OVERFLOW_MAG);
}

fn f32_to_${id}_bits(x: f32) -> u32 { return f32bits_to_${id}_bits(bitcast<u32>(x)); }

// Stochastic rounding as numerics stochasticRound: away from zero iff
// floor(rest * 2^(32 - shift)) + r >= 2^32, i.e. the u32 sum carries.
fn stochastic_${id}_bits(x: u32, r: u32) -> u32 {
  let sign = (x >> 31u) << ${C}_SIGN_SHIFT;
  if ((x & 0x7F800000u) == 0x7F800000u) {
    return sign | select(${C}_OVERFLOW_MAG, ${C}_NAN, (x & 0x7FFFFFu) != 0u);
  }
  let g = ${id}_grid(x);
  let s = min(g.y, 31u);
  let q = g.x >> s;
  let rest = g.x & ((1u << s) - 1u);
  let scaled = select(rest >> min(g.y - 32u, 31u), rest << (32u - min(g.y, 32u)), g.y <= 32u);
  let up = scaled + r < r;
  let mag = (g.z << ${C}_MB) + q + select(0u, 1u, up);
  return sign | min(mag, ${C}_OVERFLOW_MAG);
}

${decodeFn}

fn ${id}_bits_to_f32(b: u32) -> f32 { return bitcast<f32>(${id}_bits_to_f32bits(b)); }

// The cast's event (numerics classify, first match wins): x f32 bits, b the result's bits.
fn ${id}_event(x: u32, b: u32) -> u32 {
  if ((x & 0x7F800000u) == 0x7F800000u) { return EVENT_NONFINITE; }
  let mag = b & ${hex(magMask)};
  if (mag >= ${C}_OVERFLOW_MAG) { return EVENT_OVERFLOW; }
  if (mag == 0u) { return select(EVENT_NONE, EVENT_UNDERFLOW, (x & 0x7FFFFFFFu) != 0u); }
  if (mag < ${hex(unit)}) { return EVENT_SUBNORMAL; }
  return EVENT_NONE;
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
