/**
 * Shared machinery of the transformer kernel self-tests: seeded inputs, poisoned outputs, one
 * submit per op run, read-back, comparison with the CPU reference in ulps of the stored format,
 * and CPU event counts taken by numerics `classify` on exactly the values the reference stores.
 */
import {
  COUNTED_EVENTS,
  FORMATS,
  classify,
  isCountedEvent,
  range,
  uniform01,
  type CountedEvent,
  type FormatName,
} from '../../../numerics';
import {
  EventCounters,
  createTensor,
  readBuffer,
  readTensor,
  readTensorWords,
  writeTensor,
  writeWords,
  type Tensor,
} from '../../../gpu';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { storagePolicy, type Buf, type Precision } from '../../reference';

/** NaN in every lane of every format (fp32 0x7FC07FC0, fp16 / bf16 halves 0x7FC0): an output
 * word a kernel fails to write can match no finite reference value. */
export const POISON_WORD = 0x7fc07fc0;

export interface Outcome {
  pass: boolean;
  detail: string;
  data?: Record<string, unknown>;
}

/** Seeded uniform / normal numbers from numerics' counter-based PRNG. */
export class Rng {
  private counter = 0;
  constructor(readonly seed: number) {}
  uniform(): number {
    return uniform01(this.seed, this.counter++);
  }
  normal(std = 1): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return std * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  normals(n: number, std = 1): number[] {
    return Array.from({ length: n }, () => this.normal(std));
  }
}

export interface Harness {
  env: SelfTestEnv;
  /** Groups: 'act' (activations and their gradients), 'param' (parameter gradients). */
  counters: EventCounters;
  allocated: GPUBuffer[];
}

export function createHarness(env: SelfTestEnv): Harness {
  return {
    env,
    counters: new EventCounters(env.pool, ['act', 'param'], 'selftest counters'),
    allocated: [],
  };
}

/** Returns every buffer the harness handed out to the pool (after each check). */
export function releaseAll(h: Harness): void {
  for (const b of h.allocated) h.env.pool.release(b);
  h.allocated.length = 0;
}

/** Values as the storage format holds them (each rounded once, as an upload does). */
export function stored(format: FormatName, values: ArrayLike<number>): Float32Array {
  const p = storagePolicy(format);
  return Float32Array.from(values, (x) => p.store(Math.fround(x)));
}

/** A tensor holding `values` (already representable in `storage`). */
export function input(
  h: Harness,
  storage: FormatName,
  shape: number[],
  values: ArrayLike<number>,
  label: string,
): Tensor {
  const t = createTensor(h.env.pool, { shape, storage, label, category: 'selftest' });
  h.allocated.push(t.buffer);
  writeTensor(h.env.ctx.device, t, values);
  return t;
}

/** An output tensor, poisoned. */
export function output(h: Harness, storage: FormatName, shape: number[], label: string): Tensor {
  const t = createTensor(h.env.pool, { shape, storage, label, category: 'selftest' });
  h.allocated.push(t.buffer);
  poison(h, t.buffer);
  return t;
}

export function poison(h: Harness, buffer: GPUBuffer): void {
  writeWords(h.env.ctx.device, buffer, new Uint32Array(buffer.size / 4).fill(POISON_WORD));
}

/** An f32 tensor: with values, uploaded; without, poisoned. */
export function f32(h: Harness, n: number, label: string, values?: ArrayLike<number>): Tensor {
  return values ? input(h, 'fp32', [n], values, label) : output(h, 'fp32', [n], label);
}

/** u32 ids (tokens, targets). */
export function ids(h: Harness, values: Int32Array, label: string): GPUBuffer {
  const buffer = h.env.pool.acquire({ label, byteLength: values.length * 4, category: 'selftest' });
  h.allocated.push(buffer);
  writeWords(
    h.env.ctx.device,
    buffer,
    new Uint32Array(values.buffer, values.byteOffset, values.length),
  );
  return buffer;
}

/** Records one op into a fresh encoder with the counters cleared, submits once, waits. */
export async function runOnGpu(
  h: Harness,
  recordOp: (encoder: GPUCommandEncoder) => void,
): Promise<number> {
  const { device } = h.env.ctx;
  const encoder = device.createCommandEncoder({ label: 'transformer selftest' });
  h.counters.clear(encoder);
  recordOp(encoder);
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

export const readValues = (h: Harness, t: Tensor): Promise<Float64Array> =>
  readTensor(h.env.ctx.device, t);
export const readWords = (h: Harness, t: Tensor): Promise<Uint32Array> =>
  readTensorWords(h.env.ctx.device, t);

/** Words of a tensor read back, compared for bit identity with an earlier read. */
export async function identicalWords(h: Harness, t: Tensor, before: Uint32Array): Promise<boolean> {
  const after = await readBuffer(h.env.ctx.device, t.buffer, t.byteLength);
  return after.length === before.length && after.every((w, i) => w === before[i]);
}

/** Spacing of the format at |x| (the subnormal spacing below the normal range). */
export function ulpAt(format: FormatName, x: number): number {
  const a = Math.max(Math.abs(x), range(format).minNormal);
  return 2 ** (Math.floor(Math.log2(a)) - FORMATS[format].mantissaBits);
}

export interface Tolerance {
  /** Allowed error in ulps of the tensor's format at max(|want|, floor): 1 where only a rounding
   * to a 16-bit format can flip at a tie. */
  ulps: number;
  /** Absolute floor of the error scale as a fraction of max |want| over the tensor. */
  floorFrac?: number;
  /** Per element, an absolute error the f32 computation may honestly carry on top (the f32
   * error bound of terms that cancel, or what an input the GPU computed differently brings in):
   * subtracted from the error before it is measured in ulps. */
  allowance?: ArrayLike<number>;
}

/** ulp of 1 in f32. */
export const EPS32 = 2 ** -23;

export interface Comparison {
  name: string;
  format: FormatName;
  n: number;
  exact: number;
  /** Largest error in ulps (floored as the tolerance says, past the allowance): what is judged. */
  maxUlps: number;
  /** Largest plain error in ulps of the format at |want| (no floor, no allowance). */
  rawUlps: number;
  worst: string;
  tol: Tolerance;
  pass: boolean;
}

/** Compares read-back values with the reference's, elementwise. */
export function compare(
  name: string,
  format: FormatName,
  got: ArrayLike<number>,
  want: Buf,
  tol: Tolerance,
): Comparison {
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++)
    if (Number.isFinite(want[i])) maxAbs = Math.max(maxAbs, Math.abs(want[i]));
  const floor = (tol.floorFrac ?? 0) * maxAbs;
  let exact = 0;
  let maxUlps = 0;
  let rawUlps = 0;
  let worst = '';
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    let err: number;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) err = 0;
    else if (!Number.isFinite(g) || !Number.isFinite(w)) err = Infinity;
    else {
      const excess = Math.max(0, Math.abs(g - w) - (tol.allowance?.[i] ?? 0));
      err = excess / ulpAt(format, Math.max(Math.abs(w), floor));
      rawUlps = Math.max(rawUlps, Math.abs(g - w) / ulpAt(format, w));
    }
    if (err === 0 && (g === w || Number.isNaN(w))) exact++;
    if (err > maxUlps || (worst === '' && err > 0)) {
      maxUlps = err;
      worst = `[${i}] gpu ${g} ref ${w}`;
    }
  }
  return {
    name,
    format,
    n: want.length,
    exact,
    maxUlps,
    rawUlps,
    worst,
    tol,
    pass: maxUlps <= tol.ulps,
  };
}

/** The unused lanes of a packed tensor's last word must be written as zero. */
export async function paddingIsZero(h: Harness, t: Tensor): Promise<boolean> {
  const lanes = t.storage === 'fp32' ? 1 : 2;
  const used = t.size % lanes;
  if (used === 0) return true;
  const words = await readWords(h, t);
  return words[words.length - 1] >>> (16 * used) === 0;
}

export type EventTally = Record<CountedEvent, number>;

export const noEvents = (): EventTally =>
  Object.fromEntries(COUNTED_EVENTS.map((e) => [e, 0])) as EventTally;

/** The storage policy of the reference, with numerics classify tallied at every `store`. */
export function countingPolicy(format: FormatName): { p: Precision; events: EventTally } {
  const base = storagePolicy(format);
  const events = noEvents();
  const p: Precision = {
    ...base,
    store: (x: number) => {
      const e = classify(format, x);
      if (isCountedEvent(e)) events[e]++;
      return base.store(x);
    },
  };
  return { p, events };
}

export async function gpuEvents(h: Harness): Promise<{ act: EventTally; param: EventTally }> {
  const [act, param] = await h.counters.read(h.env.ctx.device);
  return { act, param };
}

/** One op as runOnGpu runs it, then what it counted: its time (ms) and the 'act' / 'param'
 * event tallies. */
export async function runCounted(
  h: Harness,
  recordOp: (encoder: GPUCommandEncoder) => void,
): Promise<{ ms: number; act: EventTally; param: EventTally }> {
  const ms = await runOnGpu(h, recordOp);
  return { ms, ...(await gpuEvents(h)) };
}

const fmtEvents = (e: EventTally) => COUNTED_EVENTS.map((k) => `${k} ${e[k]}`).join(', ');

/** GPU counts equal the CPU's, up to `slack` per kind (elements whose f32 value may differ). */
export function eventsMatch(
  label: string,
  gpu: EventTally,
  cpu: EventTally,
  slack = 0,
): { ok: boolean; text: string } {
  const ok = COUNTED_EVENTS.every((k) => Math.abs(gpu[k] - cpu[k]) <= slack);
  return {
    ok,
    text: ok
      ? `${label} events ${fmtEvents(gpu)} = classify${slack ? ` (slack ${slack})` : ''}`
      : `${label} events gpu {${fmtEvents(gpu)}} cpu {${fmtEvents(cpu)}}`,
  };
}

/** Elements of a comparison that are not bit-exact: how far event counts may honestly differ. */
export const inexact = (c: Comparison): number => c.n - c.exact;

const fmtUlps = (u: number) => (u === 0 ? '0' : u < 0.01 ? u.toExponential(1) : u.toFixed(2));

/** One line per compared tensor. */
export function describe(c: Comparison): string {
  const floor =
    (c.tol.floorFrac ? ` floor ${c.tol.floorFrac}*max` : '') +
    (c.tol.allowance ? ' + allowance' : '');
  return (
    `${c.name} ${c.format}: max ${fmtUlps(c.maxUlps)} ulp (tol ${c.tol.ulps}${floor}; plain ${fmtUlps(c.rawUlps)} ulp), ${c.exact}/${c.n} exact` +
    (c.pass ? '' : ` FAIL worst ${c.worst}`)
  );
}

/** Sum-up of a check: all comparisons, extra conditions, time. */
export function outcome(
  comparisons: Comparison[],
  extras: { ok: boolean; text: string }[],
  ms: number,
  seed: number,
  why: string,
): Outcome {
  const pass = comparisons.every((c) => c.pass) && extras.every((e) => e.ok);
  const parts = [
    ...comparisons.map(describe),
    ...extras.map((e) => (e.ok ? e.text : `FAIL ${e.text}`)),
  ];
  return {
    pass,
    detail: `seed ${seed}; gpu ${ms.toFixed(1)} ms; ${parts.join('; ')}. Tolerance: ${why}`,
    data: {
      seed,
      ms,
      maxUlps: Object.fromEntries(comparisons.map((c) => [c.name, c.maxUlps])),
      rawUlps: Object.fromEntries(comparisons.map((c) => [c.name, c.rawUlps])),
    },
  };
}
