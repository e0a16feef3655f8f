/**
 * One MoE layer's kernels chained on the GPU as a training step records them: router -> dispatch
 * -> gather -> combine, the two aux losses, then combine backward -> gather backward ->
 * load-balance backward -> router backward -> z-loss backward, all in ONE submit with no
 * read-back in between. Every output is poisoned (0xDEADBEEF) first, so an element a kernel
 * fails to write cannot pass; afterwards every output is read back for the comparisons.
 */
import type { FormatName } from '../../../numerics';
import {
  EventCounters,
  createTensor,
  readBuffer,
  writeTensor,
  writeWords,
  type BufferPool,
  type EventCounts,
  type GpuContext,
  type PipelineCache,
  type Tensor,
} from '../../../gpu';
import {
  compileCombineBackward,
  compileCombineForward,
  compileDispatch,
  compileGatherBackward,
  compileGatherForward,
  compileLoadBalance,
  compileRouterBackward,
  compileRouterForward,
  compileZLoss,
  createGpuDispatch,
  recordCombineBackward,
  recordCombineForward,
  recordDispatchForward,
  recordGatherBackward,
  recordGatherForward,
  recordLoadBalanceBackward,
  recordLoadBalanceForward,
  recordRouterBackward,
  recordRouterForward,
  recordZLossBackward,
  recordZLossForward,
} from '../../../gpu/kernels/moe';
import type { MoeCase, MoeInputs } from './cases';

export const POISON = 0xdeadbeef;

export interface GpuEnv {
  ctx: GpuContext;
  cache: PipelineCache;
  pool: BufferPool;
}

/** Counter groups, one per kernel that stores to a low-precision tensor. */
export const EVENT_GROUPS = [
  'router',
  'combine',
  'combineBackward',
  'gatherBackward',
  'routerBackward',
  'zLossBackward',
] as const;
export type EventGroup = (typeof EVENT_GROUPS)[number];

/** Read-back of one chained run: raw words of every output, in its storage format. */
export interface GpuRun {
  words: Record<OutputName, Uint32Array>;
  formats: Record<OutputName, FormatName | 'u32'>;
  events: Record<EventGroup, EventCounts>;
  /** Wall time of the submit until the queue is done. */
  ms: number;
}

export type OutputName =
  | 'probs'
  | 'gates'
  | 'topIdx'
  | 'counts'
  | 'offsets'
  | 'tokenOf'
  | 'rowOf'
  | 'xg'
  | 'y'
  | 'loss'
  | 'lse'
  | 'deo'
  | 'dgates'
  | 'dx'
  | 'dprobs'
  | 'dlogits';

/** The kernels of one (main, router) format pair, counting with the device's default variant. */
export async function compileMoe(env: GpuEnv, main: FormatName, router: FormatName) {
  const { ctx, cache } = env;
  const [rf, rb, dispatch, gf, gb, cf, cb, lb, z] = await Promise.all([
    compileRouterForward(ctx, cache, router),
    compileRouterBackward(ctx, cache, router),
    compileDispatch(ctx, cache),
    compileGatherForward(ctx, cache, main),
    compileGatherBackward(ctx, cache, main),
    compileCombineForward(ctx, cache, { main, router }),
    compileCombineBackward(ctx, cache, { main, router }),
    compileLoadBalance(ctx, cache, router),
    compileZLoss(ctx, cache, router),
  ]);
  return { rf, rb, dispatch, gf, gb, cf, cb, lb, z };
}

/** A layer's tensors on the GPU and its ops, in step order, each recording one op. */
export interface PreparedMoe {
  ops: Array<[name: string, record: (enc: GPUCommandEncoder) => void]>;
  /** Every output buffer, by name. */
  outputs: Record<OutputName, GPUBuffer>;
  counters: EventCounters;
  release(): void;
}

export async function prepareMoe(env: GpuEnv, c: MoeCase, inp: MoeInputs): Promise<PreparedMoe> {
  const { device } = env.ctx;
  const { N, C, E, k } = c;
  const R = N * k;
  const K = await compileMoe(env, c.main, c.router);
  const made: GPUBuffer[] = [];
  const tensor = (shape: number[], storage: FormatName, label: string): Tensor => {
    const t = createTensor(env.pool, {
      shape,
      storage,
      label: `moe ${label}`,
      category: 'selftest',
    });
    made.push(t.buffer);
    return t;
  };
  const words = (n: number, label: string): GPUBuffer => {
    const b = env.pool.acquire({ label: `moe ${label}`, byteLength: n * 4, category: 'selftest' });
    made.push(b);
    return b;
  };
  const counters = new EventCounters(env.pool, EVENT_GROUPS, 'moe selftest counters');
  made.push(counters.buffer);
  const d = createGpuDispatch(env.pool, { N, E, k }, 'moe selftest dispatch');
  made.push(d.counts, d.offsets, d.tokenOf, d.rowOf, d.chunkCounts);

  const logits = tensor([N, E], c.router, 'logits');
  const x = tensor([N, C], c.main, 'x');
  const eo = tensor([R, C], c.main, 'expert out');
  const dy = tensor([N, C], c.main, 'dy');
  const dxg = tensor([R, C], c.main, 'dxg');
  writeTensor(device, logits, inp.logits);
  writeTensor(device, x, inp.x);
  writeTensor(device, eo, inp.eo);
  writeTensor(device, dy, inp.dy);
  writeTensor(device, dxg, inp.dxg);
  const lossScale = words(1, 'loss scale');
  writeWords(device, lossScale, new Uint32Array(new Float32Array([c.dloss]).buffer));

  const o = {
    probs: tensor([N, E], c.router, 'probs'),
    gates: tensor([N, k], c.router, 'gates'),
    topIdx: words(R, 'topIdx'),
    xg: tensor([R, C], c.main, 'xg'),
    y: tensor([N, C], c.main, 'y'),
    loss: words(2, 'losses'),
    lse: words(N, 'lse'),
    deo: tensor([R, C], c.main, 'deo'),
    dgates: words(R, 'dgates'),
    dx: tensor([N, C], c.main, 'dx'),
    dprobs: words(N * E, 'dprobs'),
    dlogits: tensor([N, E], c.router, 'dlogits'),
  };
  const outputs = {
    ...Object.fromEntries(Object.entries(o).map(([n, v]) => [n, 'buffer' in v ? v.buffer : v])),
    counts: d.counts,
    offsets: d.offsets,
    tokenOf: d.tokenOf,
    rowOf: d.rowOf,
  } as Record<OutputName, GPUBuffer>;

  const group = (g: EventGroup) => ({ counters, group: counters.group(g) });
  const ops: PreparedMoe['ops'] = [
    // forward
    [
      'router forward',
      (enc) =>
        recordRouterForward(
          enc,
          K.rf,
          { logits, probs: o.probs, gates: o.gates, topIdx: o.topIdx },
          { N, E, k },
          group('router'),
        ),
    ],
    ['dispatch', (enc) => recordDispatchForward(enc, K.dispatch, o.topIdx, d)],
    [
      'gather forward',
      (enc) =>
        recordGatherForward(enc, K.gf, { out: o.xg, inp: x, tokenOf: d.tokenOf }, { N, C, k }),
    ],
    [
      'combine forward',
      (enc) =>
        recordCombineForward(
          enc,
          K.cf,
          { out: o.y, expertOut: eo, gates: o.gates, rowOf: d.rowOf },
          { N, C, k },
          group('combine'),
        ),
    ],
    [
      'load-balance forward',
      (enc) =>
        recordLoadBalanceForward(
          enc,
          K.lb.forward,
          { loss: o.loss, probs: o.probs, counts: d.counts },
          { N, E, k, alpha: c.alpha, slot: 0 },
        ),
    ],
    [
      'z-loss forward',
      (enc) =>
        recordZLossForward(
          enc,
          K.z,
          { loss: o.loss, lse: o.lse, logits },
          { N, E, beta: c.beta, slot: 1 },
        ),
    ],
    // backward, in reverse
    [
      'combine backward',
      (enc) =>
        recordCombineBackward(
          enc,
          K.cb,
          {
            dexpertOut: o.deo,
            dgates: o.dgates,
            dout: dy,
            expertOut: eo,
            gates: o.gates,
            rowOf: d.rowOf,
            tokenOf: d.tokenOf,
          },
          { N, C, k },
          group('combineBackward'),
        ),
    ],
    [
      'gather backward',
      (enc) =>
        recordGatherBackward(
          enc,
          K.gb,
          { dinp: o.dx, dout: dxg, rowOf: d.rowOf },
          { N, C, k },
          group('gatherBackward'),
        ),
    ],
    ['clear dprobs', (enc) => enc.clearBuffer(o.dprobs)],
    [
      'load-balance backward',
      (enc) =>
        recordLoadBalanceBackward(
          enc,
          K.lb.backward,
          { dprobs: o.dprobs, counts: d.counts, lossScale },
          { N, E, k, alpha: c.alpha },
        ),
    ],
    [
      'router backward',
      (enc) =>
        recordRouterBackward(
          enc,
          K.rb,
          {
            dlogits: o.dlogits,
            dprobs: o.dprobs,
            dgates: o.dgates,
            probs: o.probs,
            gates: o.gates,
            topIdx: o.topIdx,
          },
          { N, E, k },
          group('routerBackward'),
        ),
    ],
    [
      'z-loss backward',
      (enc) =>
        recordZLossBackward(
          enc,
          K.z,
          { dlogits: o.dlogits, logits, lse: o.lse, lossScale },
          { N, E, beta: c.beta },
          group('zLossBackward'),
        ),
    ],
  ];
  return {
    ops,
    outputs,
    counters,
    release: () => made.forEach((b) => env.pool.release(b)),
  };
}

const FORMATS_OF = (c: MoeCase): Record<OutputName, FormatName | 'u32'> => ({
  probs: c.router,
  gates: c.router,
  dlogits: c.router,
  xg: c.main,
  y: c.main,
  deo: c.main,
  dx: c.main,
  loss: 'fp32',
  lse: 'fp32',
  dgates: 'fp32',
  dprobs: 'fp32',
  topIdx: 'u32',
  counts: 'u32',
  offsets: 'u32',
  tokenOf: 'u32',
  rowOf: 'u32',
});

/** The whole layer in one submit, outputs poisoned first, then everything read back. */
export async function runMoeOnGpu(env: GpuEnv, c: MoeCase, inp: MoeInputs): Promise<GpuRun> {
  const { device } = env.ctx;
  const m = await prepareMoe(env, c, inp);
  try {
    for (const b of Object.values(m.outputs)) {
      writeWords(device, b, new Uint32Array(b.size / 4).fill(POISON));
    }
    const enc = device.createCommandEncoder({ label: 'moe selftest step' });
    m.counters.clear(enc);
    for (const [, record] of m.ops) record(enc);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    const read: Partial<Record<OutputName, Uint32Array>> = {};
    for (const [name, b] of Object.entries(m.outputs)) {
      read[name as OutputName] = await readBuffer(device, b);
    }
    const counts = await m.counters.read(device);
    return {
      words: read as Record<OutputName, Uint32Array>,
      formats: FORMATS_OF(c),
      events: Object.fromEntries(counts.map((e) => [e.group, e])) as Record<
        EventGroup,
        EventCounts
      >,
      ms,
    };
  } finally {
    m.release();
  }
}
