/** Reading what a person types: a real number for the format explorer, a parameter count for the
 * memory calculator. Each returns the value or a sentence saying what is wrong. */

export type Parsed<T> = { ok: true; value: T; note?: string } | { ok: false; message: string };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INFINITY = /^([+-]?)(inf|infinity)$/i;
const NAN = /^[+-]?nan$/i;

/** A real number: decimals with optional exponent, inf / infinity / nan (any case, signed), -0. */
export function parseNumber(text: string): Parsed<number> {
  const t = text.trim();
  if (t === '')
    return { ok: false, message: 'Type a number, e.g. 0.1, 65520, 6.1e-5, -0, inf or nan.' };
  const inf = INFINITY.exec(t);
  if (inf) return { ok: true, value: inf[1] === '-' ? -Infinity : Infinity };
  if (NAN.test(t)) return { ok: true, value: NaN };
  if (/^[+-]?0x/i.test(t)) {
    return {
      ok: false,
      message: `“${t}” is a bit pattern, which means a different number in each format: type the value as a decimal, or click the bits above.`,
    };
  }
  if (!DECIMAL.test(t)) {
    return {
      ok: false,
      message: `“${t}” is not a number: type a decimal like 0.1, 6.1e-5, inf or nan.`,
    };
  }
  const value = Number(t);
  if (!Number.isFinite(value)) {
    return {
      ok: true,
      value,
      note: `${t} is beyond the largest double (about 1.8e308), so it is read as ${value > 0 ? '' : '−'}∞.`,
    };
  }
  if (value === 0 && /[1-9]/.test(t.replace(/e.*$/i, ''))) {
    return {
      ok: true,
      value,
      note: `${t} is below the smallest double (about 4.9e-324), so it is read as ${Object.is(value, -0) ? '−0' : '0'}.`,
    };
  }
  return { ok: true, value };
}

/** Suffixes as used for model sizes: 7B = 7 billion parameters (short scale). */
const COUNT_SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };
const COUNT = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*([kmbgt])?$/i;
/** Beyond this the byte counts stop being exact integers in a double; no model is near it. */
const MAX_COUNT = 1e15;

/** A parameter count: 500e9, 500B, 7B, 125M, 1.5T, 350000 (underscores and commas as separators). */
export function parseParamCount(text: string): Parsed<number> {
  const t = text.trim().replace(/[_,]/g, '');
  const m = COUNT.exec(t);
  if (!m) {
    return {
      ok: false,
      message: `“${text.trim()}” is not a parameter count: type a number like 7B, 125M, 1.5T or 500e9 (k, M, B, T = thousand, million, billion, trillion).`,
    };
  }
  const n = Number(m[1] + (m[2] ?? '')) * (m[3] ? COUNT_SUFFIX[m[3].toLowerCase()] : 1);
  if (!(n >= 1))
    return {
      ok: false,
      message: `“${text.trim()}” is less than one parameter: type a count of at least 1.`,
    };
  if (n > MAX_COUNT)
    return {
      ok: false,
      message: `“${text.trim()}” is more than 10^15 parameters, beyond what this calculator handles.`,
    };
  return { ok: true, value: Math.round(n) };
}
