/**
 * The f32 arithmetic of the optimizer kernels, as WGSL snippets prepended to their bodies.
 * Bodies compute on f32 bit patterns (u32) with f_add, f_sub, f_mul, f_div, f_sqrt:
 *   'exact'  integer soft-float, each result rounded once to nearest even with gradual underflow:
 *            bit for bit the CPU reference's Math.fround(a op b) on every GPU (WGSL's own `/` and
 *            `sqrt` may be off by ulps, any f32 operation may flush subnormals, and a backend may
 *            fuse a * b + c; WGSL's "correctly rounded" + and * may even round either way).
 *            Division and sqrt start from the device's estimate and correct it exactly.
 *            On SwiftShader an exact AdamW element costs about 15 native ones.
 *   'native' the GPU's f32 operations: fast, equal to the reference only where the device rounds
 *            to nearest without flushing (the Diagnostics page measures it).
 */
import { dispatch1d, type KernelDescriptor } from '../kernel';
import floatBitsWgsl from './floatBits.wgsl?raw';
import floatExactWgsl from './floatExact.wgsl?raw';
import floatNativeWgsl from './floatNative.wgsl?raw';
import floatProbeWgsl from './floatProbe.wgsl?raw';
import packedLanesWgsl from './packedLanes.wgsl?raw';

export type Arithmetic = 'exact' | 'native';

/** bits_is_nan / bits_is_finite / F32_* constants, then the f_* functions of `arithmetic`. */
export function arithmeticWgsl(arithmetic: Arithmetic): string {
  return `${floatBitsWgsl}\n${arithmetic === 'exact' ? floatExactWgsl : floatNativeWgsl}`;
}

/** with_lane / lane_of for writing whole packed words. */
export const PACKED_LANES_WGSL = packedLanesWgsl;

/** Kernel name suffix of an arithmetic variant (the shader key is built from the name). */
export function arithmeticSuffix(arithmetic: Arithmetic): string {
  return arithmetic === 'exact' ? '' : '_native';
}

const WG = 64;

/** Self-test probe: work = [n]; out holds 5n words (a + b, a - b, a * b, a / b, sqrt(a)). */
export function floatProbeKernel(arithmetic: Arithmetic): KernelDescriptor {
  return {
    name: `optim_float_probe${arithmeticSuffix(arithmetic)}`,
    body: `${arithmeticWgsl(arithmetic)}\n${floatProbeWgsl}`,
    bindings: [
      { name: 'a', access: 'read', type: 'u32' },
      { name: 'b', access: 'read', type: 'u32' },
      { name: 'out', access: 'read_write', type: 'u32' },
    ],
    uniforms: { n: 'u32' },
    workgroupSize: [WG, 1, 1],
    countsEvents: false,
    dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
  };
}
