/**
 * The CPU reference (model/reference) of one chained MoE layer, each op fed the SAME inputs its
 * GPU kernel read: the case's inputs, or the GPU's own upstream outputs (decoded exactly), so a
 * difference measures one kernel, not the ones before it. Stores go through a counting policy:
 * numerics `classify` of every value the reference stores, per kernel, for the event check.
 */
import {
  COUNTED_EVENTS,
  classify,
  isCountedEvent,
  type CountedEvent,
  type FormatName,
} from '../../../numerics';
import { decodeWords, unpackBits } from '../../../gpu';
import { combineBackward, combineForward } from '../../reference/combine';
import {
  createDispatch,
  dispatchForward,
  gatherBackward,
  gatherForward,
  type Dispatch,
} from '../../reference/dispatch';
import { storagePolicy, type Precision } from '../../reference/precision';
import { routerBackward, routerForward } from '../../reference/router';
import {
  loadBalanceBackward,
  loadBalanceForward,
  zLossBackward,
  zLossForward,
} from '../../reference/routerLosses';
import type { MoeCase, MoeInputs } from './cases';
import type { EventGroup, GpuRun, OutputName } from './gpu';

export type EventTally = Record<CountedEvent, number>;

/** The storage policy of `format`, counting the fate of every value it stores. */
export function countingPolicy(format: FormatName): { p: Precision; events: EventTally } {
  const base = storagePolicy(format);
  const events = Object.fromEntries(COUNTED_EVENTS.map((e) => [e, 0])) as EventTally;
  const p: Precision = {
    ...base,
    store: (x: number) => {
      const event = classify(format, x);
      if (isCountedEvent(event)) events[event]++;
      return base.store(x);
    },
  };
  return { p, events };
}

/** Exact values of a GPU output (fp32/fp16/bf16 storage) as f32. */
export function gpuValues(run: GpuRun, name: OutputName, n: number): Float32Array {
  const f = run.formats[name];
  if (f === 'u32') throw new Error(`${name} holds integers, not values.`);
  return Float32Array.from(decodeWords(f, run.words[name], n));
}

export function gpuInts(run: GpuRun, name: OutputName, n: number): Int32Array {
  return Int32Array.from(run.words[name].subarray(0, n), (w) => w | 0);
}

export function gpuBits(run: GpuRun, name: OutputName, n: number): Uint32Array {
  const f = run.formats[name];
  return unpackBits(f === 'u32' ? 'fp32' : f, run.words[name], n);
}

/** The reference's router on the case's logits alone (independent of every GPU output). */
export function referenceRouter(c: MoeCase, inp: MoeInputs) {
  const { p, events } = countingPolicy(c.router);
  const probs = new Float32Array(c.N * c.E);
  const topIdx = new Int32Array(c.N * c.k);
  const gates = new Float32Array(c.N * c.k);
  routerForward(p, probs, topIdx, gates, inp.logits, c.N, c.E, c.k);
  return { probs, topIdx, gates, events };
}

export interface Expected {
  dispatch: Dispatch;
  xg: Float32Array;
  y: Float32Array;
  balance: number;
  lse: Float32Array;
  zLoss: number;
  deo: Float32Array;
  dgates: Float32Array;
  dx: Float32Array;
  dprobs: Float32Array;
  dlogits: Float32Array;
  events: Record<EventGroup, EventTally>;
}

/** Each downstream op of the reference on the inputs its GPU kernel read. */
export function referenceDownstream(c: MoeCase, inp: MoeInputs, run: GpuRun): Expected {
  const { N, C, E, k } = c;
  const R = N * k;
  const probs = gpuValues(run, 'probs', N * E);
  const gates = gpuValues(run, 'gates', R);
  const topIdx = gpuInts(run, 'topIdx', R);
  const dispatch = createDispatch(N, E, k);
  dispatchForward(dispatch, topIdx, N, E, k);
  // Downstream ops use the GPU's dispatch lists (checked equal to `dispatch` separately).
  const rowOf = gpuInts(run, 'rowOf', R);
  const tokenOf = gpuInts(run, 'tokenOf', R);
  const xg = new Float32Array(R * C);
  gatherForward(xg, inp.x, tokenOf, R, C);

  const combine = countingPolicy(c.main);
  const y = new Float32Array(N * C);
  combineForward(combine.p, y, inp.eo, gates, rowOf, N, k, C);

  const router = storagePolicy(c.router);
  const counts = gpuInts(run, 'counts', E);
  const balance = loadBalanceForward(router, probs, counts, N, E, k, c.alpha);
  const lse = new Float32Array(N);
  const zLoss = zLossForward(router, lse, inp.logits, N, E, c.beta);

  const combineBack = countingPolicy(c.main);
  const deo = new Float32Array(R * C);
  const dgates = new Float32Array(R);
  combineBackward(combineBack.p, deo, dgates, inp.dy, inp.eo, gates, rowOf, N, k, C);
  const gatherBack = countingPolicy(c.main);
  const dx = new Float32Array(N * C);
  gatherBackward(gatherBack.p, dx, inp.dxg, rowOf, N, k, C);

  const routerBack = countingPolicy(c.router);
  const dprobs = new Float32Array(N * E);
  loadBalanceBackward(router, dprobs, counts, N, E, k, c.alpha, c.dloss);
  const dlogits = new Float32Array(N * E);
  const gpuDgates = gpuValues(run, 'dgates', R);
  routerBackward(routerBack.p, dlogits, dprobs, gpuDgates, probs, topIdx, gates, N, E, k);
  const zBack = countingPolicy(c.router);
  const gpuLse = gpuValues(run, 'lse', N);
  zLossBackward(zBack.p, dlogits, inp.logits, gpuLse, N, E, c.beta, c.dloss);

  return {
    dispatch,
    xg,
    y,
    balance,
    lse,
    zLoss,
    deo,
    dgates,
    dx,
    dprobs,
    dlogits,
    events: {
      router: referenceRouter(c, inp).events,
      combine: combine.events,
      combineBackward: combineBack.events,
      gatherBackward: gatherBack.events,
      routerBackward: routerBack.events,
      zLossBackward: zBack.events,
    },
  };
}
