/**
 * AdamW's scalars on the CPU, exactly as the reference computes them
 * (src/model/reference/adamw.ts, scalars()): in double from the hyperparameters, each rounded
 * once to f32, as a host uploads them.
 *   per run:  decay = 1 - lr*wd, 1 - b1, b2, 1 - b2, eps            -> uniforms (f32 bits)
 *   per step: negStepSize = -lr / (1 - b1^t), sqrt(1 - b2^t)        -> the step table
 * The step count t lives on the GPU (a step skipped for inf/NaN gradients does not count, and
 * the GPU alone knows), so the t-dependent pair is a table indexed by t. In f32 both converge
 * (to -lr and 1) after finitely many steps; the table ends at the first row equal to the limit
 * and kernels read its last row for every later t.
 */
import { f32Bits } from '../../../numerics';
import type { BufferPool } from '../../tensor';
import { writeWords } from '../../tensor';

/** As the reference's AdamWOptions (torch.optim.AdamW defaults). */
export interface AdamWHyperparameters {
  lr: number;
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  eps?: number; // 1e-8
  weightDecay?: number; // 0.01
}

/** Rows of the step table at most (8 bytes each): beta2 = 0.9999 needs about 170 000. */
export const MAX_STEP_TABLE_ROWS = 1 << 21;

/** A sentence saying what is wrong with the hyperparameters, or null. */
export function adamwHyperparametersError(o: AdamWHyperparameters): string | null {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  if (!(Number.isFinite(o.lr) && o.lr >= 0))
    return `AdamW lr is ${o.lr}; it must be a finite number >= 0 (e.g. 1e-3).`;
  if (!(b1 >= 0 && b1 < 1)) return `AdamW beta1 is ${b1}; it must be in [0, 1) (default 0.9).`;
  if (!(b2 >= 0 && b2 < 1)) return `AdamW beta2 is ${b2}; it must be in [0, 1) (default 0.999).`;
  const eps = o.eps ?? 1e-8;
  if (!(Number.isFinite(eps) && eps >= 0))
    return `AdamW eps is ${eps}; it must be a finite number >= 0 (default 1e-8).`;
  const wd = o.weightDecay ?? 0.01;
  if (!(Number.isFinite(wd) && wd >= 0))
    return `AdamW weightDecay is ${wd}; it must be a finite number >= 0 (default 0.01).`;
  return null;
}

/** The per-run uniforms as f32 bit patterns. */
export function adamwUniformBits(o: AdamWHyperparameters): {
  decay: number;
  one_minus_beta1: number;
  beta2: number;
  one_minus_beta2: number;
  eps: number;
} {
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  const wd = o.weightDecay ?? 0.01;
  return {
    decay: f32Bits(1 - o.lr * wd),
    one_minus_beta1: f32Bits(1 - beta1),
    beta2: f32Bits(beta2),
    one_minus_beta2: f32Bits(1 - beta2),
    eps: f32Bits(o.eps ?? 1e-8),
  };
}

/** (negStepSize, sqrt(1 - b2^t)) of step t >= 1 as f32 bit patterns. */
export function adamwStepScalarBits(o: AdamWHyperparameters, t: number): [number, number] {
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  return [f32Bits(-o.lr / (1 - beta1 ** t)), f32Bits(Math.sqrt(1 - beta2 ** t))];
}

/** Rows t = 1 .. rows of (negStepSize, sqrt(1 - b2^t)), f32 bits, ending at the limit row. */
export function adamwStepTableWords(o: AdamWHyperparameters): Uint32Array {
  const error = adamwHyperparametersError(o);
  if (error) throw new Error(error);
  const limit = [f32Bits(-o.lr), f32Bits(1)];
  const rows: number[] = [];
  for (let t = 1; ; t++) {
    const [a, b] = adamwStepScalarBits(o, t);
    rows.push(a, b);
    if (a === limit[0] && b === limit[1]) break;
    if (t >= MAX_STEP_TABLE_ROWS) {
      throw new Error(
        `AdamW beta1 = ${o.beta1 ?? 0.9}, beta2 = ${o.beta2 ?? 0.999}: the bias corrections take more than ${MAX_STEP_TABLE_ROWS} steps to settle in f32; use betas further from 1.`,
      );
    }
  }
  return Uint32Array.from(rows);
}

/** The step table on the GPU with the hyperparameters it was built for. */
export interface AdamWStepTable {
  readonly buffer: GPUBuffer;
  readonly rows: number;
  readonly hyperparameters: Readonly<AdamWHyperparameters>;
}

/** Builds and uploads the table (once per run, and again when lr or the betas change). */
export function createAdamWStepTable(
  pool: BufferPool,
  hyperparameters: AdamWHyperparameters,
  label = 'adamw step table',
): AdamWStepTable {
  const words = adamwStepTableWords(hyperparameters);
  const buffer = pool.acquire({ label, byteLength: words.byteLength, category: 'optimizer' });
  writeWords(pool.device, buffer, words);
  return { buffer, rows: words.length / 2, hyperparameters: { ...hyperparameters } };
}
