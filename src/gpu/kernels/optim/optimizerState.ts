/**
 * The optimizer state that lives on the GPU, so a step needs no CPU round trip: found_inf from
 * the unscale kernel, the completed-step count t of AdamW, and the GradScaler's scale and growth
 * tracker. One small buffer of u32 words per lane:
 *   0 foundInf       1 when an unscaled gradient of this step was inf/NaN (unscale sets it; the
 *                    optimizer kernels then leave weights and moments untouched; step end clears)
 *   1 stepsDone      AdamW steps taken (PyTorch's state["step"] after the step; skipped steps
 *                    do not count)
 *   2 scale          loss scale, f32 bits
 *   3 invScale       1 / scale rounded to f32 (torch: scale.double().reciprocal().float())
 *   4 growthTracker  clean steps in a row since the last growth or backoff
 *   5 skippedSteps   steps skipped so far
 *   6 lastFoundInf   foundInf of the last finished step (for charts)
 *   7 unused (0)
 */
import { f32Bits, f32FromBits } from '../../../numerics';
import { readBuffer, writeWords, type BufferPool } from '../../tensor';

export const STATE_WORD = {
  foundInf: 0,
  stepsDone: 1,
  scale: 2,
  invScale: 3,
  growthTracker: 4,
  skippedSteps: 5,
  lastFoundInf: 6,
} as const;
export const OPTIMIZER_STATE_WORDS = 8;

export interface OptimizerState {
  readonly buffer: GPUBuffer;
  readonly label: string;
}

export interface OptimizerStateValues {
  foundInf: boolean;
  stepsDone: number;
  /** f32 value. */
  scale: number;
  invScale: number;
  growthTracker: number;
  skippedSteps: number;
  lastFoundInf: boolean;
}

/** The words of a state; the scale is rounded to f32 and invScale derived as torch does. */
export function optimizerStateWords(values: Partial<OptimizerStateValues> = {}): Uint32Array {
  const scale = Math.fround(values.scale ?? 1);
  const words = new Uint32Array(OPTIMIZER_STATE_WORDS);
  words[STATE_WORD.foundInf] = values.foundInf ? 1 : 0;
  words[STATE_WORD.stepsDone] = values.stepsDone ?? 0;
  words[STATE_WORD.scale] = f32Bits(scale);
  words[STATE_WORD.invScale] = f32Bits(values.invScale ?? Math.fround(1 / scale));
  words[STATE_WORD.growthTracker] = values.growthTracker ?? 0;
  words[STATE_WORD.skippedSteps] = values.skippedSteps ?? 0;
  words[STATE_WORD.lastFoundInf] = values.lastFoundInf ? 1 : 0;
  return words;
}

/** A fresh state: no steps taken, loss scale `scale` (1 for recipes without loss scaling;
 * GradScaler's default init_scale is 65536). */
export function createOptimizerState(
  pool: BufferPool,
  options: { label: string; scale?: number },
): OptimizerState {
  const scale = options.scale ?? 1;
  if (!(Math.fround(scale) > 0) || !Number.isFinite(Math.fround(scale))) {
    throw new Error(
      `Optimizer state "${options.label}": loss scale ${scale} is not positive and finite in f32; use e.g. 65536.`,
    );
  }
  const buffer = pool.acquire({
    label: options.label,
    byteLength: OPTIMIZER_STATE_WORDS * 4,
    category: 'optimizer',
  });
  writeWords(pool.device, buffer, optimizerStateWords({ scale }));
  return { buffer, label: options.label };
}

/** Overwrites the state (tests, or a reset between runs); recorded on the queue. */
export function writeOptimizerState(
  device: GPUDevice,
  state: OptimizerState,
  values: Partial<OptimizerStateValues>,
): void {
  writeWords(device, state.buffer, optimizerStateWords(values));
}

export function decodeOptimizerState(words: Uint32Array): OptimizerStateValues {
  return {
    foundInf: words[STATE_WORD.foundInf] !== 0,
    stepsDone: words[STATE_WORD.stepsDone],
    scale: f32FromBits(words[STATE_WORD.scale]),
    invScale: f32FromBits(words[STATE_WORD.invScale]),
    growthTracker: words[STATE_WORD.growthTracker],
    skippedSteps: words[STATE_WORD.skippedSteps],
    lastFoundInf: words[STATE_WORD.lastFoundInf] !== 0,
  };
}

/** Explicit read-back (tests, diagnostics); training reads it through the metrics ring. */
export async function readOptimizerState(
  device: GPUDevice,
  state: OptimizerState,
): Promise<OptimizerStateValues> {
  return decodeOptimizerState(await readBuffer(device, state.buffer, OPTIMIZER_STATE_WORDS * 4));
}
