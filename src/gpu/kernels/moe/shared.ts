/**
 * What the MoE kernels share: shape checks that speak, the formats a packed-word kernel accepts,
 * and the counters binding of a kernel compiled with or without event counting.
 * Shape letters: N tokens, C channels, E experts, k experts per token, R = N*k grouped rows.
 */
import type { FormatName } from '../../../numerics';
import type { Tensor } from '../../tensor';
import type { CastCounting } from '../convert';
import type { Bindable, CompiledKernel } from '../kernel';

/** Most experts a router row may have: the kernels keep a row in registers. */
export const MAX_EXPERTS = 16;

/** Storage formats the MoE kernels write (one or two elements per u32 word). */
export const MOE_FORMATS: readonly FormatName[] = ['fp32', 'fp16', 'bf16'];

export function checkFormat(op: string, what: string, format: FormatName): void {
  if (!MOE_FORMATS.includes(format)) {
    throw new Error(
      `MoE ${op}: ${what} stored as ${format} is not supported; use one of ${MOE_FORMATS.join(', ')}.`,
    );
  }
}

export function checkRouting(op: string, E: number, k: number): void {
  if (!Number.isInteger(E) || E < 1 || E > MAX_EXPERTS) {
    throw new Error(`MoE ${op}: E = ${E} experts; the kernels support 1..${MAX_EXPERTS}.`);
  }
  if (!Number.isInteger(k) || k < 1 || k > E) {
    throw new Error(`MoE ${op}: k = ${k} experts per token; it must be 1..E (E = ${E}).`);
  }
}

export function checkCount(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`MoE ${op}: ${what} = ${n}; it must be a positive integer.`);
  }
}

/** N tokens, C channels, k slots per token (combine, gather). */
export function checkRowShape(op: string, s: { N: number; C: number; k: number }): void {
  checkCount(op, 'N', s.N);
  checkCount(op, 'C', s.C);
  checkCount(op, 'k', s.k);
}

/** N tokens routed to k of E experts (router, router losses). */
export function checkRouterShape(op: string, s: { N: number; E: number; k: number }): void {
  checkCount(op, 'N', s.N);
  checkRouting(op, s.E, s.k);
}

/** A tensor of exactly `size` elements, or a buffer holding at least `size` 4-byte words. */
export function checkSize(op: string, name: string, value: Bindable, size: number): void {
  if ('storage' in value) {
    const t = value as Tensor;
    if (t.size !== size) {
      throw new Error(
        `MoE ${op}: "${t.label}" (${name}) holds ${t.size} values, expected ${size}: check the shapes.`,
      );
    }
    return;
  }
  const buffer = 'buffer' in value ? value.buffer : value;
  if (buffer.size < size * 4) {
    throw new Error(
      `MoE ${op}: buffer "${buffer.label}" (${name}) has ${buffer.size} bytes, needs ${size * 4} (${size} u32/f32 words).`,
    );
  }
}

/** An f32 binding given as a Tensor must be stored as fp32. */
export function checkF32(op: string, name: string, value: Bindable): void {
  if ('storage' in value && (value as Tensor).storage !== 'fp32') {
    const t = value as Tensor;
    throw new Error(
      `MoE ${op}: "${t.label}" (${name}) is stored as ${t.storage}; this gradient is kept in f32, give an fp32 tensor.`,
    );
  }
}

/**
 * Each binding of `t` named in `sizes` against its expected size (checkSize), in that order; then
 * the ones named in `f32` are f32 (checkF32).
 */
export function checkBindings<T extends Readonly<Record<string, Bindable>>>(
  op: string,
  t: T,
  sizes: { readonly [K in keyof T]?: number },
  f32: readonly (keyof T & string)[] = [],
): void {
  for (const [name, size] of Object.entries(sizes) as [keyof T & string, number][]) {
    checkSize(op, name, t[name], size);
  }
  for (const name of f32) checkF32(op, name, t[name]);
}

/** Two tensors that one kernel reads in the same format. */
export function checkSameStorage(op: string, a: Tensor, b: Tensor): void {
  if (a.storage !== b.storage) {
    throw new Error(
      `MoE ${op}: "${a.label}" is ${a.storage} but "${b.label}" is ${b.storage}; both must share one format.`,
    );
  }
}

/** The counters binding (none when the kernel was compiled with counting 'off'). */
export function countersOf(
  kernel: CompiledKernel,
  counting: CastCounting | undefined,
): { buffers: Record<string, Bindable>; group: number } {
  if (kernel.variant.counting === 'off') return { buffers: {}, group: 0 };
  if (!counting) {
    throw new Error(
      `Kernel "${kernel.key}" counts events: pass the counters and a group, or compile it with counting 'off'.`,
    );
  }
  return { buffers: { counters: counting.counters }, group: counting.group };
}
