/**
 * Probe kernels of the self-tests: they run one WGSL function per element so its results can be
 * compared with the TypeScript truth (numerics) or with exact double arithmetic.
 */
import { dispatch1d, type KernelDescriptor } from '../kernels/kernel';
import randomProbeWgsl from './randomProbe.wgsl?raw';
import stochasticProbeWgsl from './stochasticProbe.wgsl?raw';
import arithProbeWgsl from './arithProbe.wgsl?raw';

const WG = 256;

/** work = [n pairs]; out holds 2n words. */
export const randomProbeKernel: KernelDescriptor = {
  name: 'selftest_random32',
  body: randomProbeWgsl,
  bindings: [
    { name: 'keys', access: 'read', type: 'u32' },
    { name: 'indices', access: 'read', type: 'u32' },
    { name: 'out', access: 'read_write', type: 'u32' },
  ],
  uniforms: { n: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
};

/** src fp32 tensor -> dst tensor (format of the variant); work = [dst words]. */
export const stochasticProbeKernel: KernelDescriptor = {
  name: 'selftest_stochastic_round',
  body: stochasticProbeWgsl,
  bindings: [
    { name: 'src', access: 'read', type: 'tensor' },
    { name: 'dst', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { n: 'u32', words: 'u32', key: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([words], limits) => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension),
};

/** work = [n]; out holds 2n words (product, sum). */
export const arithProbeKernel: KernelDescriptor = {
  name: 'selftest_f32_arithmetic',
  body: arithProbeWgsl,
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
