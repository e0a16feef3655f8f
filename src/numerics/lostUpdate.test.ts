import { describe, expect, it } from 'vitest';
import { isLostUpdate } from './lostUpdate';

describe('isLostUpdate', () => {
  it.each([
    // format, w, delta, lost, why
    ['bf16', 1, 2 ** -9, true, 'a quarter ulp of bf16 at 1 (ulp 2^-7)'],
    ['bf16', 1, 2 ** -8, true, 'half an ulp: the tie goes back to the even 1'],
    ['bf16', 1, 2 ** -7, false, 'a whole ulp'],
    ['bf16', 1, -(2 ** -9), true, 'below 1 the ulp is 2^-8: a tie between 1 - 2^-8 (odd) and 1 (even)'],
    ['bf16', 1, -(2 ** -9 + 2 ** -12), false, 'past that tie it reaches 1 - 2^-8'],
    ['bf16', 1, 2 ** -8 + 2 ** -40, true, 'the f32 sum drops 2^-40, leaving the tie that goes back to 1'],
    ['bf16', 1, 0, false, 'no update is not a lost update'],
    ['bf16', 256, 1, true, 'ulp 2 at 256'],
    ['fp16', 1, 2 ** -12, true, 'fp16 ulp at 1 is 2^-10'],
    ['fp16', 1, 2 ** -10, false, 'one fp16 ulp'],
    ['fp16', 0, 2 ** -26, true, 'below half the smallest fp16 subnormal'],
    ['fp32', 1, 2 ** -25, true, 'lost already in the f32 sum'],
    ['fp32', 1, 2 ** -23, false, 'one f32 ulp'],
    ['bf16', 1, NaN, false, 'NaN is not an update that vanished'],
  ] as const)('%s w=%s delta=%s -> %s (%s)', (format, w, delta, lost, _why) => {
    expect(isLostUpdate(format, w, delta)).toBe(lost);
  });
});
