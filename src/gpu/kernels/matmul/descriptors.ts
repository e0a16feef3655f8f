/**
 * Kernel descriptors of the matmul family, built from WGSL parts:
 *   head (generated here: add_bias / row_range) + tile.wgsl + a mode + a variant.
 * Modes: 'plain' (batched, plain.wgsl), 'rows' (grouped rows times per-expert weights,
 * rows.wgsl), 'weightGrad' (per-expert sums over segment rows, weightGrad.wgsl).
 * Variants: 'register' (register.wgsl) and 'shared' (shared.wgsl).
 *
 * Layouts are uniforms (strides), not compile-time choices, so NN, NT and TN share one pipeline
 * per (mode, variant, bias, formats, counting).
 */
import type { KernelDescriptor } from '../kernel';
import { dispatch1d } from '../kernel';
import type { BindingDecl, UniformType } from '../prelude';
import tileWgsl from './tile.wgsl?raw';
import plainWgsl from './plain.wgsl?raw';
import rowsWgsl from './rows.wgsl?raw';
import weightGradWgsl from './weightGrad.wgsl?raw';
import registerWgsl from './register.wgsl?raw';
import sharedWgsl from './shared.wgsl?raw';
import biasGradWgsl from './biasGrad.wgsl?raw';

export type MatmulVariant = 'register' | 'shared';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['register', 'shared'];
export type MatmulMode = 'plain' | 'rows' | 'weightGrad';

/** Invocations per workgroup (x columns, y rows). 'register' stacks its invocations along rows:
 * SwiftShader runs 4 consecutive invocations as one SIMD group, so a ragged edge then idles
 * whole groups instead of lanes in every group (the LM head's N = 65 ran 30% faster so). */
export const VARIANT_WORKGROUP: Readonly<Record<MatmulVariant, readonly [number, number]>> = {
  register: [1, 32],
  shared: [16, 16],
};
/** Output block of one invocation (square): TM = TN in register.wgsl / shared.wgsl. */
const VARIANT_BLOCK: Readonly<Record<MatmulVariant, number>> = { register: 8, shared: 4 };

/** Output rows and columns one workgroup covers. */
export function workgroupTile(variant: MatmulVariant): { rows: number; cols: number } {
  const [x, y] = VARIANT_WORKGROUP[variant];
  const block = VARIANT_BLOCK[variant];
  return { rows: y * block, cols: x * block };
}

/** Uniforms of every matmul kernel (the `params` struct, in order). */
export const MATMUL_UNIFORMS: Readonly<Record<string, UniformType>> = {
  M: 'u32', // output rows (all grouped rows R in 'rows' mode)
  N: 'u32', // output columns
  K: 'u32', // inner size ('plain', 'rows'; 'weightGrad' takes it from the offsets)
  batch: 'u32', // batch entries ('plain') or experts E
  a_si: 'u32',
  a_sk: 'u32',
  b_sk: 'u32',
  b_sj: 'u32',
  a_batch: 'u32', // elements between batch entries of A
  b_batch: 'u32', // ... of B (or between experts' weights)
  total: 'u32', // output elements
  group: 'u32', // event counter group
};

const MODE_WGSL: Record<MatmulMode, string> = {
  plain: plainWgsl,
  rows: rowsWgsl,
  weightGrad: weightGradWgsl,
};
const VARIANT_WGSL: Record<MatmulVariant, string> = {
  register: registerWgsl,
  shared: sharedWgsl,
};
const MODE_NAME: Record<MatmulMode, string> = {
  plain: 'matmul',
  rows: 'grouped_matmul',
  weightGrad: 'grouped_matmul_wgrad',
};

function addBiasWgsl(bias: boolean): string {
  return bias
    ? '// Bias added last, in f32, before the one rounding to the output format.\nfn add_bias(v: f32, idx: u32) -> f32 { return v + load_bias(idx); }\n'
    : 'fn add_bias(v: f32, _idx: u32) -> f32 { return v; }\n';
}

const descriptors = new Map<string, KernelDescriptor>();

/** The descriptor of one (mode, variant, bias) matmul kernel; work = [x, y, z] workgroups. */
export function matmulDescriptor(
  mode: MatmulMode,
  variant: MatmulVariant,
  bias: boolean,
): KernelDescriptor {
  if (bias && mode === 'weightGrad') {
    throw new Error('The grouped weight-gradient kernel has no bias; its dbias is a column sum.');
  }
  const name = `${MODE_NAME[mode]}_${variant}${bias ? '_bias' : ''}`;
  let d = descriptors.get(name);
  if (!d) {
    const bindings: BindingDecl[] = [
      { name: 'a', access: 'read', type: 'tensor' },
      { name: 'b', access: 'read', type: 'tensor' },
    ];
    if (bias) bindings.push({ name: 'bias', access: 'read', type: 'tensor' });
    if (mode !== 'plain') bindings.push({ name: 'offsets', access: 'read', type: 'u32' });
    bindings.push({ name: 'out', access: 'read_write', type: 'tensor' });
    const [x, y] = VARIANT_WORKGROUP[variant];
    d = {
      name,
      body: [addBiasWgsl(bias), tileWgsl, MODE_WGSL[mode], VARIANT_WGSL[variant]].join('\n'),
      bindings,
      uniforms: MATMUL_UNIFORMS,
      workgroupSize: [x, y, 1],
      countsEvents: true,
      dispatch: ([wx, wy, wz]) => [wx, wy, wz],
    };
    descriptors.set(name, d);
  }
  return d;
}

const BIAS_WG = 64;

/** dbias = column sums of dout over all rows ('plain') or per expert segment ('rows');
 * work = [output words]. */
export function biasGradDescriptor(grouped: boolean): KernelDescriptor {
  const name = grouped ? 'grouped_matmul_dbias' : 'matmul_dbias';
  let d = descriptors.get(name);
  if (!d) {
    const bindings: BindingDecl[] = [{ name: 'dout', access: 'read', type: 'tensor' }];
    if (grouped) bindings.push({ name: 'offsets', access: 'read', type: 'u32' });
    bindings.push({ name: 'out', access: 'read_write', type: 'tensor' });
    const head = grouped
      ? 'fn row_range(e: u32) -> vec2<u32> { return vec2<u32>(offsets[e], offsets[e + 1u]); }\n'
      : 'fn row_range(_e: u32) -> vec2<u32> { return vec2<u32>(0u, params.rows); }\n';
    d = {
      name,
      body: head + biasGradWgsl,
      bindings,
      uniforms: { N: 'u32', rows: 'u32', total: 'u32', words: 'u32', group: 'u32' },
      workgroupSize: [BIAS_WG, 1, 1],
      countsEvents: true,
      dispatch: ([words], limits) =>
        dispatch1d(words, BIAS_WG, limits.maxComputeWorkgroupsPerDimension),
    };
    descriptors.set(name, d);
  }
  return d;
}
