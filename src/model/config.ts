/**
 * The model's size as the person chooses it: named sizes, validation with a sentence per problem,
 * and the memory a run will need, estimated before anything is allocated.
 *
 * Shape letters: V vocab, C channels (d), L layers, H heads, E experts, k experts per token,
 * T context, B batch, F expert hidden width, N = B*T tokens, R = N*k grouped rows.
 */
import type { FormatName } from '../numerics';
import { memoryBuffers } from './memory';

export interface ModelConfig {
  /** V: vocabulary size, from the dataset's tokenizer. */
  vocab: number;
  /** C: channels of the residual stream. */
  d: number;
  /** L: transformer blocks. */
  layers: number;
  /** H: attention heads; must divide d. */
  heads: number;
  /** E: experts per MoE layer. */
  experts: number;
  /** k: experts per token, 1 (Switch) or 2 (Mixtral, ST-MoE). */
  topK: 1 | 2;
  /** T: tokens per window (and learned positions). */
  context: number;
  /** B: windows per batch. */
  batch: number;
  /** F: expert hidden width; default 4*d. */
  hidden?: number;
  /** Standard deviation of the normal init of weight matrices; default 0.02 (GPT-2). */
  initStd?: number;
}

/** A model size without the vocabulary, which the dataset decides. */
export type ModelShape = Omit<ModelConfig, 'vocab'>;

export const MODEL_SIZE_NAMES = ['tiny', 'default'] as const;
export type ModelSizeName = (typeof MODEL_SIZE_NAMES)[number];

export const MODEL_SIZES: Readonly<Record<ModelSizeName, Readonly<ModelShape>>> = {
  /** What tests and the software-rendered GPU use: a CPU step takes milliseconds. */
  tiny: { d: 32, layers: 1, heads: 2, experts: 4, topK: 2, context: 16, batch: 8 },
  /** Trains visibly within a minute on a laptop GPU (DESIGN.md §3). */
  default: { d: 128, layers: 2, heads: 4, experts: 8, topK: 2, context: 64, batch: 32 },
};

export const DEFAULT_INIT_STD = 0.02;

/** The named (or given) size with the dataset's vocabulary. */
export function modelConfig(size: ModelSizeName | ModelShape, vocab: number): ModelConfig {
  const shape = typeof size === 'string' ? MODEL_SIZES[size] : size;
  return { vocab, ...shape };
}

/** Expert hidden width F: the configured one or 4*d. */
export const hiddenOf = (c: ModelConfig): number => c.hidden ?? 4 * c.d;

/** What a recipe decides about memory (train/recipes' Recipe satisfies it). */
export interface MemoryRecipe {
  /** Format of the weights as the matmuls read them. */
  readonly matmulFormat: FormatName;
  /** An f32 master copy beside the low-precision weights. */
  readonly masterWeights: boolean;
  /** Format in which activations and activation gradients are stored. */
  readonly storageFormat: FormatName;
  /** Format of the stored parameters when there is no master copy ('fp32' or the pure format). */
  readonly weightsFormat: FormatName;
}

export const MEMORY_CATEGORIES = [
  'weights',
  'master',
  'grads',
  'optimizer',
  'activations',
  'activation_grads',
] as const;
export type MemoryCategory = (typeof MEMORY_CATEGORIES)[number];

/** Bytes by category, and their total. */
export type MemoryEstimate = Record<MemoryCategory, number> & { total: number };

/**
 * Bytes one lane needs, by category:
 *  weights     the parameters as the forward reads them: all of them in fp32 (no master) or the
 *              pure format; with a master copy, the per-step cast of the matmul (and router, when
 *              the router is in the low format) weights;
 *  master      the f32 master copy (amp recipes);
 *  grads       weight gradients: f32, or the pure format without a master copy;
 *  optimizer   AdamW's two f32 moments;
 *  activations tensors saved by the forward for the backward;
 *  activation_grads  the backward's scratch (one layer's worth, reused).
 * 16-bit tensors are packed two values per u32, so an odd count rounds up to a whole word.
 */
export function estimateMemory(
  c: ModelConfig,
  recipe: MemoryRecipe,
  routerFormat: FormatName = 'fp32',
): MemoryEstimate {
  const estimate = { total: 0 } as MemoryEstimate;
  for (const category of MEMORY_CATEGORIES) estimate[category] = 0;
  for (const b of memoryBuffers(c, recipe, routerFormat)) {
    estimate[b.category] += b.bytes;
    estimate.total += b.bytes;
  }
  return estimate;
}

/** Limits of the adapter the run will use (GPUSupportedLimits' names) and a memory budget. */
export interface DeviceLimits {
  maxStorageBufferBindingSize?: number;
  maxBufferSize?: number;
  /** Bytes the whole run may use, with the recipes of its lanes (one entry per lane). */
  memoryBudget?: { bytes: number; recipes: readonly MemoryRecipe[] };
}

const MiB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 2 : 0)} MiB`;

function integerError(field: string, value: unknown, min: number, max: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return `${field} is ${String(value)}; it must be a whole number (${min} to ${max}).`;
  }
  if (value < min || value > max) return `${field} is ${value}; it must be between ${min} and ${max}.`;
  return null;
}

/** Bounds that keep index arithmetic in u32 and the CPU reference usable; not taste. */
const BOUNDS: Readonly<Record<keyof ModelShape | 'vocab', [number, number]>> = {
  vocab: [2, 65536],
  d: [1, 4096],
  layers: [1, 64],
  heads: [1, 256],
  experts: [1, 256],
  topK: [1, 2],
  context: [1, 4096],
  batch: [1, 4096],
  hidden: [1, 16384],
  initStd: [0, 1],
};

/**
 * Every problem with the config, one sentence each naming the field; empty when usable.
 * With limits: every buffer the run allocates must fit the adapter's maxStorageBufferBindingSize
 * and maxBufferSize, and the lanes' estimated memory must fit the budget.
 */
export function validateModelConfig(c: ModelConfig, limits?: DeviceLimits): string[] {
  const errors: string[] = [];
  const fields = ['vocab', 'd', 'layers', 'heads', 'experts', 'topK', 'context', 'batch'] as const;
  for (const field of fields) {
    const [min, max] = BOUNDS[field];
    const e = integerError(field, c[field], min, max);
    if (e) errors.push(e);
  }
  if (c.hidden !== undefined) {
    const e = integerError('hidden', c.hidden, ...BOUNDS.hidden);
    if (e) errors.push(e);
  }
  if (c.initStd !== undefined && !(Number.isFinite(c.initStd) && c.initStd > 0 && c.initStd <= 1)) {
    errors.push(`initStd is ${c.initStd}; it must be a number above 0 and at most 1 (GPT-2 uses 0.02).`);
  }
  if (errors.length > 0) return errors;
  if (c.d % c.heads !== 0) {
    const divisors = [1, 2, 4, 8, 16, 32, 64].filter((h) => c.d % h === 0 && h <= c.d);
    errors.push(
      `heads is ${c.heads}, which does not divide d = ${c.d}; each head needs d / heads channels, so pick heads among ${divisors.join(', ')}.`,
    );
  }
  if (c.topK > c.experts) {
    errors.push(`topK is ${c.topK} but there are only ${c.experts} experts; topK must be at most experts.`);
  }
  if (limits && errors.length === 0) errors.push(...limitErrors(c, limits));
  return errors;
}

function limitErrors(c: ModelConfig, limits: DeviceLimits): string[] {
  const errors: string[] = [];
  const checks: [keyof DeviceLimits, number | undefined][] = [
    ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize],
    ['maxBufferSize', limits.maxBufferSize],
  ];
  // The worst case per buffer: every buffer in f32 (the fp32 recipe).
  const f32: MemoryRecipe = { matmulFormat: 'fp32', masterWeights: false, storageFormat: 'fp32', weightsFormat: 'fp32' };
  const buffers = memoryBuffers(c, f32, 'fp32');
  for (const [name, limit] of checks) {
    if (limit === undefined) continue;
    const over = buffers.filter((b) => b.bytes > limit).sort((a, b) => b.bytes - a.bytes);
    if (over.length === 0) continue;
    const worst = over[0];
    errors.push(
      `${worst.fields.join(', ')}: the ${worst.label} ${worst.shape} take ${mib(worst.bytes)} in one buffer, above this GPU's ${name} of ${mib(limit)}` +
        (over.length > 1 ? ` (${over.length - 1} other buffer${over.length > 2 ? 's' : ''} too)` : '') +
        `; lower ${worst.fields.join(' or ')}.`,
    );
  }
  const budget = limits.memoryBudget;
  if (budget) {
    const needed = budget.recipes.reduce((sum, r) => sum + estimateMemory(c, r).total, 0);
    if (needed > budget.bytes) {
      errors.push(
        `batch, context, d: the ${budget.recipes.length} lane${budget.recipes.length === 1 ? '' : 's'} need about ${mib(needed)}, above the memory budget of ${mib(budget.bytes)}; use fewer lanes or lower batch, context or d.`,
      );
    }
  }
  return errors;
}
