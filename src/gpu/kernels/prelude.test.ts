import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../../numerics';
import { castKernel } from './convert';
import { formatWgsl } from './formatWgsl';
import { kernelWgsl } from './kernel';
import { bindingSlots, generatePrelude, GENERATED_NOTE } from './prelude';

// The WGSL itself is checked on a GPU (src/gpu/selftest, e2e/gpu-conversion.spec.ts); these tests
// check what can be known without one: the rules the generated text must keep.
const narrow = FORMAT_NAMES.filter((f) => f !== 'fp32');

describe('generated format helpers', () => {
  it('never round with WGSL built-ins whose rounding is unspecified, nor test NaN with x != x', () => {
    for (const f of narrow) {
      const code = formatWgsl(f);
      expect(code).not.toMatch(/pack2x16float|unpack2x16float|quantizeToF16|\bf16\b|x != x|isNan/);
      expect(code).toContain(`fn f32bits_to_${f.replace('-', '_')}_bits(x: u32) -> u32`);
    }
  });

  it('decodes bf16 (f32 with the low mantissa cut off) by a shift, fp16 without branches', () => {
    expect(formatWgsl('bf16')).toContain(
      'fn bf16_bits_to_f32bits(b: u32) -> u32 { return b << 16u; }',
    );
    const fp16 = formatWgsl('fp16').replace(/\/\/[^\n]*/g, ''); // code without comments
    expect(fp16).not.toMatch(/\bif\b|\bfor\b|\bloop\b|&&|\|\||firstLeadingBit/);
    // The only float in any helper: the exact i32 -> f32 conversion of a subnormal's integer m.
    for (const f of narrow)
      expect(formatWgsl(f).match(/\bf32\(/g) ?? []).toHaveLength(f === 'bf16' ? 0 : 1);
  });

  it('refuses fp32, which has no narrowing to generate', () => {
    expect(() => formatWgsl('fp32')).toThrow(/narrower than f32/);
  });
});

describe('kernel prelude', () => {
  const spec = (counting: 'subgroup' | 'atomic' | 'off') => ({
    formats: { src: 'fp32', dst: 'bf16' } as const,
    counting,
    extraFormats: [],
  });

  it('is marked generated and enables subgroups only for the subgroup variant', () => {
    const sub = kernelWgsl(castKernel, spec('subgroup'));
    expect(sub.startsWith(GENERATED_NOTE)).toBe(true);
    expect(sub).toContain('enable subgroups;');
    expect(sub).toContain('subgroupAdd(');
    const atomic = kernelWgsl(castKernel, spec('atomic'));
    expect(atomic).not.toContain('enable subgroups');
    expect(atomic).not.toContain('subgroupAdd(');
    expect(atomic).toContain('atomicAdd');
    expect(kernelWgsl(castKernel, spec('off'))).not.toContain('> counters:');
  });

  it('declares bindings in the slots the bind group layout uses', () => {
    const slots = bindingSlots({
      bindings: castKernel.bindings,
      uniforms: castKernel.uniforms,
      counting: 'atomic',
    });
    expect(slots.map((s) => `${s.binding}:${s.name}:${s.kind}`)).toEqual([
      '0:src:read-only-storage',
      '1:dst:storage',
      '2:counters:storage',
      '3:params:uniform',
    ]);
    const code = generatePrelude({
      ...spec('atomic'),
      bindings: castKernel.bindings,
      uniforms: castKernel.uniforms,
      workgroupSize: [256, 1, 1],
    });
    expect(code).toContain('@group(0) @binding(0) var<storage, read> src: array<u32>;');
    expect(code).toContain(
      '@group(0) @binding(2) var<storage, read_write> counters: array<atomic<u32>>;',
    );
    expect(code).toContain('@group(0) @binding(3) var<uniform> params: Params;');
  });

  it('asks for a format for every tensor binding', () => {
    expect(() =>
      generatePrelude({
        bindings: castKernel.bindings,
        formats: { src: 'fp32' },
        uniforms: {},
        counting: 'off',
        workgroupSize: [1, 1, 1],
      }),
    ).toThrow(/"dst" has no storage format/);
  });
});
