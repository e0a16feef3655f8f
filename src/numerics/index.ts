/** The numerics layer: number formats as data, bit-exact rounding, cast events, loss scaling and
 * counter-based randomness. Pure TypeScript; the WGSL twins in src/gpu are checked against it. */
export { FORMATS, FORMAT_NAMES, isFormatName } from './formats';
export type { Format, FormatName, SpecialValues } from './formats';
export type { FormatLike } from './resolve';
export { resolveFormat } from './resolve';
export { encode, decode, roundTo } from './encode';
export { rounderTo, roundToBf16, roundToFp16 } from './fastRound';
export { classify, COUNTED_EVENTS, isCountedEvent } from './classify';
export type { CastEvent, CountedEvent } from './classify';
export { range } from './range';
export type { FormatRange } from './range';
export { isLostUpdate } from './lostUpdate';
export { pcgHash, random32, uniform01 } from './prng';
export { stochasticRound } from './stochastic';
export { GradScaler, gradScalerOptionsError } from './gradScaler';
export type { GradScalerOptions, GradScalerState } from './gradScaler';
export { doubleParts, doubleFromWords, f32Bits, f32FromBits, nextUp, pow2 } from './bits';
export type { DoubleParts } from './bits';
