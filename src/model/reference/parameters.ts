/**
 * Configuration, parameter layout and seeded initialisation of the MoE transformer (llm.c style):
 * all parameters live in ONE flat buffer; a table of {name, shape, offset} gives named views.
 * Per-layer tensors carry a leading L dimension.
 *
 * Shape letters: V vocab, T context (max positions), C model width d, L layers, E experts,
 * F expert hidden width (4*C by default).
 */
import { uniform01 } from '../../numerics';
import type { Buf, Precision } from './precision';

export interface MoeConfig {
  vocab: number;
  d: number;
  layers: number;
  heads: number;
  experts: number;
  /** Experts per token: 1 (Switch) or 2 (Mixtral, ST-MoE). */
  topK: number;
  context: number;
  batch: number;
  /** Expert hidden width F; default 4*d. */
  hidden?: number;
  /** Load-balancing loss coefficient alpha; default 0.01 (Switch Transformer). */
  balanceCoef?: number;
  /** Router z-loss coefficient beta; default 0.001 (ST-MoE). */
  zLossCoef?: number;
}

export type ResolvedMoeConfig = Required<MoeConfig>;

/** A sentence saying what is wrong with the config, or null when it is usable. */
export function moeConfigError(c: MoeConfig): string | null {
  const ints: [string, number | undefined][] = [
    ['vocab', c.vocab],
    ['d', c.d],
    ['layers', c.layers],
    ['heads', c.heads],
    ['experts', c.experts],
    ['topK', c.topK],
    ['context', c.context],
    ['batch', c.batch],
    ['hidden', c.hidden ?? 4 * c.d],
  ];
  for (const [name, value] of ints) {
    if (!(Number.isInteger(value) && (value as number) >= 1)) {
      return `Model config: ${name} is ${value}; it must be a positive integer.`;
    }
  }
  if (c.d % c.heads !== 0)
    return `Model config: d = ${c.d} is not divisible by heads = ${c.heads}; pick d a multiple of heads.`;
  if (c.topK > 2 || c.topK > c.experts) {
    return `Model config: topK = ${c.topK} with ${c.experts} experts; use topK 1 or 2, at most the number of experts.`;
  }
  for (const [name, value] of [
    ['balanceCoef', c.balanceCoef],
    ['zLossCoef', c.zLossCoef],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      return `Model config: ${name} is ${value}; it must be a finite number >= 0.`;
    }
  }
  return null;
}

export function resolveConfig(c: MoeConfig): ResolvedMoeConfig {
  const error = moeConfigError(c);
  if (error !== null) throw new Error(error);
  return {
    ...c,
    hidden: c.hidden ?? 4 * c.d,
    balanceCoef: c.balanceCoef ?? 0.01,
    zLossCoef: c.zLossCoef ?? 0.001,
  };
}

export const PARAMETER_NAMES = [
  'wte',
  'wpe',
  'ln1w',
  'ln1b',
  'qkvw',
  'qkvb',
  'attprojw',
  'attprojb',
  'ln2w',
  'ln2b',
  'routerw',
  'fc1w',
  'fc1b',
  'fc2w',
  'fc2b',
  'lnfw',
  'lnfb',
  'lmHead',
] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/**
 * How a tensor enters the forward: 'matmul' is cast to the storage format each step, 'router' to
 * the router's format, 'f32' is used as is (embeddings and layer norm parameters).
 */
export type ParameterKind = 'matmul' | 'router' | 'f32';

export interface ParameterEntry {
  readonly name: ParameterName;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** Number of per-layer slices (L), or 1 for tensors outside the blocks. */
  readonly layers: number;
  readonly kind: ParameterKind;
  readonly init: 'normal' | 'ones' | 'zeros';
}

export interface ParameterLayout {
  readonly entries: readonly ParameterEntry[];
  readonly byName: Readonly<Record<ParameterName, ParameterEntry>>;
  readonly total: number;
}

export function parameterLayout(c: ResolvedMoeConfig): ParameterLayout {
  const { vocab: V, d: C, layers: L, experts: E, context: T, hidden: F } = c;
  type Spec = [ParameterName, number[], ParameterKind, ParameterEntry['init'], boolean];
  const specs: Spec[] = [
    ['wte', [V, C], 'f32', 'normal', false],
    ['wpe', [T, C], 'f32', 'normal', false],
    ['ln1w', [L, C], 'f32', 'ones', true],
    ['ln1b', [L, C], 'f32', 'zeros', true],
    ['qkvw', [L, 3 * C, C], 'matmul', 'normal', true],
    ['qkvb', [L, 3 * C], 'matmul', 'zeros', true],
    ['attprojw', [L, C, C], 'matmul', 'normal', true],
    ['attprojb', [L, C], 'matmul', 'zeros', true],
    ['ln2w', [L, C], 'f32', 'ones', true],
    ['ln2b', [L, C], 'f32', 'zeros', true],
    ['routerw', [L, E, C], 'router', 'normal', true],
    ['fc1w', [L, E, F, C], 'matmul', 'normal', true],
    ['fc1b', [L, E, F], 'matmul', 'zeros', true],
    ['fc2w', [L, E, C, F], 'matmul', 'normal', true],
    ['fc2b', [L, E, C], 'matmul', 'zeros', true],
    ['lnfw', [C], 'f32', 'ones', false],
    ['lnfb', [C], 'f32', 'zeros', false],
    ['lmHead', [V, C], 'matmul', 'normal', false],
  ];
  let offset = 0;
  const entries: ParameterEntry[] = specs.map(([name, shape, kind, init, perLayer]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const entry = { name, shape, offset, size, layers: perLayer ? L : 1, kind, init };
    offset += size;
    return entry;
  });
  const byName = Object.fromEntries(entries.map((e) => [e.name, e])) as Record<
    ParameterName,
    ParameterEntry
  >;
  return { entries, byName, total: offset };
}

/** Named views: views[name][l] is layer l's slice (index 0 for tensors outside the blocks). */
export type ParameterViews = Readonly<Record<ParameterName, readonly Buf[]>>;

export function parameterViews(buf: Buf, layout: ParameterLayout): ParameterViews {
  const views = {} as Record<ParameterName, Buf[]>;
  for (const e of layout.entries) {
    const slice = e.size / e.layers;
    views[e.name] = Array.from({ length: e.layers }, (_, l) =>
      buf.subarray(e.offset + l * slice, e.offset + (l + 1) * slice),
    );
  }
  return views;
}

/**
 * Deterministic init from seed: normal(0, std) tensors via Box-Muller on numerics' uniform01
 * (element i of the flat buffer uses counters 2i and 2i+1, so a tensor's values depend only on
 * its place in the layout), layer norm gains 1, biases 0. Values rounded with p.round (f32).
 */
export function initParameters(
  p: Precision,
  params: Buf,
  layout: ParameterLayout,
  seed: number,
  std = 0.02,
): void {
  for (const e of layout.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      if (e.init === 'ones') params[i] = 1;
      else if (e.init === 'zeros') params[i] = 0;
      else {
        const u1 = uniform01(seed, 2 * i);
        const u2 = uniform01(seed, 2 * i + 1);
        // 1 - u1 lies in (0, 1], so the log is finite.
        params[i] = p.round(std * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
      }
    }
  }
}
