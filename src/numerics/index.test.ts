// The public surface promised in the numerics API note: other layers code against these names.
import { describe, expect, it } from 'vitest';
import * as numerics from './index';

describe('numerics index', () => {
  it('exports the contracted API', () => {
    for (const name of [
      'FORMATS', 'FORMAT_NAMES', 'isFormatName', 'encode', 'decode', 'roundTo', 'classify',
      'COUNTED_EVENTS', 'range', 'isLostUpdate', 'random32', 'uniform01', 'stochasticRound', 'GradScaler',
    ]) expect(numerics, name).toHaveProperty(name);
    expect(numerics.FORMAT_NAMES).toEqual(['fp32', 'fp16', 'bf16', 'fp8-e4m3', 'fp8-e5m2']);
  });

  it('accepts a Format object or its name, and refuses an unknown name with a sentence', () => {
    expect(numerics.encode(numerics.FORMATS.bf16, 1)).toBe(numerics.encode('bf16', 1));
    expect(() => numerics.encode('fp12' as numerics.FormatName, 1)).toThrow(/Unknown number format "fp12": use one of/);
  });
});
