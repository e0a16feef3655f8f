/**
 * Activation buffers on the GPU, allocated once per model (the twin of reference/activations.ts),
 * and the backward's scratch of one layer, reused by every layer. S: the storage format, Rf: the
 * router's, f32 where the precision policy keeps f32. N = B*T tokens, R = N*k grouped rows.
 * Memory category: activations.
 */
import { createTensor, type BufferPool, type Tensor } from '../../gpu';
import { createGpuDispatch, type GpuDispatch } from '../../gpu/kernels/moe';
import { attentionScratchLength, layerNormScratchLength } from '../../gpu/kernels/transformer';
import type { ResolvedMoeConfig } from '../reference';
import type { ModelFormats } from './compile';
import { lossWords } from './kernels';

export interface GpuLayerActivations {
  ln1: Tensor; // (N,C) S
  ln1Mean: Tensor; // (N) f32
  ln1Rstd: Tensor; // (N) f32
  qkv: Tensor; // (N,3C) S
  atty: Tensor; // (N,C) S
  preatt: Tensor; // (B,H,T,T) S
  att: Tensor; // (B,H,T,T) S
  attproj: Tensor; // (N,C) S
  residual2: Tensor; // (N,C) S
  ln2: Tensor; // (N,C) S
  ln2Mean: Tensor; // (N) f32
  ln2Rstd: Tensor; // (N) f32
  routerLogits: Tensor; // (N,E) Rf
  routerProbs: Tensor; // (N,E) Rf
  routerLse: Tensor; // (N) f32
  topIdx: GPUBuffer; // (N,k) u32
  gates: Tensor; // (N,k) Rf
  dispatch: GpuDispatch;
  xg: Tensor; // (R,C) S
  fc1: Tensor; // (R,F) S
  gelu: Tensor; // (R,F) S
  fc2: Tensor; // (R,C) S
  moeOut: Tensor; // (N,C) S
  residual3: Tensor; // (N,C) S
}

export interface GpuActivations {
  encoded: Tensor; // (N,C) S
  layers: GpuLayerActivations[]; // (L)
  lnf: Tensor; // (N,C) S
  lnfMean: Tensor; // (N) f32
  lnfRstd: Tensor; // (N) f32
  logits: Tensor; // (N,V) S
  probs: Tensor; // (N,V) f32
  losses: Tensor; // (N) f32
  /** lossWords(L) f32: total, cross-entropy, balance, z-loss, then per layer (kernels/index.ts). */
  loss: Tensor;
  /** (L,E) u32 expert load of the last forward. */
  expertLoad: GPUBuffer;
}

export interface GpuGradientScratch {
  dres: Tensor; // (N,C) S
  dln: Tensor; // (N,C) S
  dlogits: Tensor; // (N,V) S
  dqkv: Tensor; // (N,3C) S
  datty: Tensor; // (N,C) S
  dpreatt: Tensor; // (B,H,T,T) S
  datt: Tensor; // (B,H,T,T) S
  dfc2: Tensor; // (R,C) S
  dgelu: Tensor; // (R,F) S
  dfc1: Tensor; // (R,F) S
  dxg: Tensor; // (R,C) S
  dgates: Tensor; // (N,k) f32
  dprobs: Tensor; // (N,E) f32
  dlogitsRouter: Tensor; // (N,E) Rf
  dxRouter: Tensor; // (N,C) Rf
  /** f32 row statistics of layer norm and attention (one op at a time). */
  rows: Tensor;
  /** (1) f32 the loss scale the backward multiplies by (copied from the optimizer state). */
  lossScale: Tensor;
}

type Alloc = (storage: Tensor['storage'], shape: number[], label: string) => Tensor;

function allocator(pool: BufferPool, label: string, owned: GPUBuffer[]): Alloc {
  return (storage, shape, what) => {
    const t = createTensor(pool, { shape, storage, label: `${label} ${what}`, category: 'activations' });
    owned.push(t.buffer);
    return t;
  };
}

export function allocateActivations(
  pool: BufferPool,
  c: ResolvedMoeConfig,
  f: ModelFormats,
  label: string,
  owned: GPUBuffer[],
): GpuActivations {
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V, hidden: F } = c;
  const N = B * T;
  const R = N * k;
  const a = allocator(pool, label, owned);
  const { S, Rf } = f;
  const layers = Array.from({ length: L }, (_, l): GpuLayerActivations => {
    const n = (what: string) => `layer${l} ${what}`;
    const dispatch = createGpuDispatch(pool, { N, E, k }, `${label} ${n('dispatch')}`);
    owned.push(dispatch.counts, dispatch.offsets, dispatch.tokenOf, dispatch.rowOf, dispatch.chunkCounts);
    const topIdx = pool.acquire({ label: `${label} ${n('topIdx')}`, byteLength: R * 4, category: 'activations' });
    owned.push(topIdx);
    return {
      ln1: a(S, [N, C], n('ln1')),
      ln1Mean: a('fp32', [N], n('ln1 mean')),
      ln1Rstd: a('fp32', [N], n('ln1 rstd')),
      qkv: a(S, [N, 3 * C], n('qkv')),
      atty: a(S, [N, C], n('atty')),
      preatt: a(S, [B, H, T, T], n('preatt')),
      att: a(S, [B, H, T, T], n('att')),
      attproj: a(S, [N, C], n('attproj')),
      residual2: a(S, [N, C], n('residual2')),
      ln2: a(S, [N, C], n('ln2')),
      ln2Mean: a('fp32', [N], n('ln2 mean')),
      ln2Rstd: a('fp32', [N], n('ln2 rstd')),
      routerLogits: a(Rf, [N, E], n('router logits')),
      routerProbs: a(Rf, [N, E], n('router probs')),
      routerLse: a('fp32', [N], n('router lse')),
      topIdx,
      gates: a(Rf, [N, k], n('gates')),
      dispatch,
      xg: a(S, [R, C], n('xg')),
      fc1: a(S, [R, F], n('fc1')),
      gelu: a(S, [R, F], n('gelu')),
      fc2: a(S, [R, C], n('fc2')),
      moeOut: a(S, [N, C], n('moe out')),
      residual3: a(S, [N, C], n('residual3')),
    };
  });
  const expertLoad = pool.acquire({ label: `${label} expert load`, byteLength: L * E * 4, category: 'activations' });
  owned.push(expertLoad);
  return {
    encoded: a(S, [N, C], 'encoded'),
    layers,
    lnf: a(S, [N, C], 'lnf'),
    lnfMean: a('fp32', [N], 'lnf mean'),
    lnfRstd: a('fp32', [N], 'lnf rstd'),
    logits: a(S, [N, V], 'logits'),
    probs: a('fp32', [N, V], 'probs'),
    losses: a('fp32', [N], 'losses'),
    loss: a('fp32', [lossWords(L)], 'loss'),
    expertLoad,
  };
}

export function allocateGradientScratch(
  pool: BufferPool,
  c: ResolvedMoeConfig,
  f: ModelFormats,
  label: string,
  owned: GPUBuffer[],
): GpuGradientScratch {
  const { batch: B, context: T, d: C, heads: H, experts: E, topK: k, vocab: V, hidden: F } = c;
  const N = B * T;
  const R = N * k;
  const a = allocator(pool, `${label} grad`, owned);
  const { S, Rf } = f;
  const rows = Math.max(layerNormScratchLength(N), attentionScratchLength({ B, T, C, H }));
  return {
    dres: a(S, [N, C], 'dres'),
    dln: a(S, [N, C], 'dln'),
    dlogits: a(S, [N, V], 'dlogits'),
    dqkv: a(S, [N, 3 * C], 'dqkv'),
    datty: a(S, [N, C], 'datty'),
    dpreatt: a(S, [B, H, T, T], 'dpreatt'),
    datt: a(S, [B, H, T, T], 'datt'),
    dfc2: a(S, [R, C], 'dfc2'),
    dgelu: a(S, [R, F], 'dgelu'),
    dfc1: a(S, [R, F], 'dfc1'),
    dxg: a(S, [R, C], 'dxg'),
    dgates: a('fp32', [N, k], 'dgates'),
    dprobs: a('fp32', [N, E], 'dprobs'),
    dlogitsRouter: a(Rf, [N, E], 'dlogits router'),
    dxRouter: a(Rf, [N, C], 'dx router'),
    rows: a('fp32', [rows], 'row scratch'),
    lossScale: a('fp32', [1], 'loss scale'),
  };
}
