/**
 * Activation buffers of the MoE transformer, allocated once per model (llm.c's ActivationTensors),
 * and the gradient scratch of one layer, reused by every layer in the backward.
 * N = B*T tokens, R = N*k grouped rows; per-layer buffers are views of one allocation each.
 */
import { createDispatch, type Dispatch } from './dispatch';
import type { ResolvedMoeConfig } from './parameters';
import type { Buf, Precision } from './precision';

export interface Activations {
  encoded: Buf; // (N,C) residual stream entering layer 0
  ln1: Buf[]; // (L) x (N,C)
  ln1Mean: Buf[]; // (L) x (N)
  ln1Rstd: Buf[]; // (L) x (N)
  qkv: Buf[]; // (L) x (N,3C)
  atty: Buf[]; // (L) x (N,C)
  preatt: Buf[]; // (L) x (B,H,T,T)
  att: Buf[]; // (L) x (B,H,T,T)
  attproj: Buf[]; // (L) x (N,C)
  residual2: Buf[]; // (L) x (N,C) after the attention branch
  ln2: Buf[]; // (L) x (N,C)
  ln2Mean: Buf[]; // (L) x (N)
  ln2Rstd: Buf[]; // (L) x (N)
  routerLogits: Buf[]; // (L) x (N,E), router policy
  routerProbs: Buf[]; // (L) x (N,E), router policy
  routerLse: Buf[]; // (L) x (N) log-sum-exp for the z-loss
  topIdx: Int32Array[]; // (L) x (N,k)
  gates: Buf[]; // (L) x (N,k), router policy
  dispatch: Dispatch[]; // (L)
  xg: Buf[]; // (L) x (R,C) tokens grouped by expert
  fc1: Buf[]; // (L) x (R,F)
  gelu: Buf[]; // (L) x (R,F)
  fc2: Buf[]; // (L) x (R,C) expert outputs
  moeOut: Buf[]; // (L) x (N,C)
  residual3: Buf[]; // (L) x (N,C) leaving the layer
  lnf: Buf; // (N,C)
  lnfMean: Buf; // (N)
  lnfRstd: Buf; // (N)
  logits: Buf; // (N,V)
  probs: Buf; // (N,V) f32
  losses: Buf; // (N)
}

export interface GradientScratch {
  dres: Buf; // (N,C) gradient of the residual stream
  dln: Buf; // (N,C) gradient of a layer norm output
  dlogits: Buf; // (N,V)
  dqkv: Buf; // (N,3C)
  datty: Buf; // (N,C)
  dpreatt: Buf; // (B,H,T,T)
  datt: Buf; // (B,H,T,T)
  dfc2: Buf; // (R,C)
  dgelu: Buf; // (R,F)
  dfc1: Buf; // (R,F)
  dxg: Buf; // (R,C)
  dgates: Buf; // (N,k) router policy
  dprobs: Buf; // (N,E) router policy
  dlogitsRouter: Buf; // (N,E) router policy
  dxRouter: Buf; // (N,C) router policy
}

function perLayer(p: Precision, L: number, size: number): Buf[] {
  const all = p.alloc(L * size);
  return Array.from({ length: L }, (_, l) => all.subarray(l * size, (l + 1) * size));
}

export function allocateActivations(
  main: Precision,
  router: Precision,
  c: ResolvedMoeConfig,
): Activations {
  const {
    batch: B,
    context: T,
    d: C,
    layers: L,
    heads: H,
    experts: E,
    topK: k,
    vocab: V,
    hidden: F,
  } = c;
  const N = B * T;
  const R = N * k;
  const topAll = new Int32Array(L * N * k);
  return {
    encoded: main.alloc(N * C),
    ln1: perLayer(main, L, N * C),
    ln1Mean: perLayer(main, L, N),
    ln1Rstd: perLayer(main, L, N),
    qkv: perLayer(main, L, N * 3 * C),
    atty: perLayer(main, L, N * C),
    preatt: perLayer(main, L, B * H * T * T),
    att: perLayer(main, L, B * H * T * T),
    attproj: perLayer(main, L, N * C),
    residual2: perLayer(main, L, N * C),
    ln2: perLayer(main, L, N * C),
    ln2Mean: perLayer(main, L, N),
    ln2Rstd: perLayer(main, L, N),
    routerLogits: perLayer(router, L, N * E),
    routerProbs: perLayer(router, L, N * E),
    routerLse: perLayer(router, L, N),
    topIdx: Array.from({ length: L }, (_, l) => topAll.subarray(l * N * k, (l + 1) * N * k)),
    gates: perLayer(router, L, N * k),
    dispatch: Array.from({ length: L }, () => createDispatch(N, E, k)),
    xg: perLayer(main, L, R * C),
    fc1: perLayer(main, L, R * F),
    gelu: perLayer(main, L, R * F),
    fc2: perLayer(main, L, R * C),
    moeOut: perLayer(main, L, N * C),
    residual3: perLayer(main, L, N * C),
    lnf: main.alloc(N * C),
    lnfMean: main.alloc(N),
    lnfRstd: main.alloc(N),
    logits: main.alloc(N * V),
    probs: main.alloc(N * V),
    losses: main.alloc(N),
  };
}

export function allocateGradientScratch(
  main: Precision,
  router: Precision,
  c: ResolvedMoeConfig,
): GradientScratch {
  const { batch: B, context: T, d: C, heads: H, experts: E, topK: k, vocab: V, hidden: F } = c;
  const N = B * T;
  const R = N * k;
  return {
    dres: main.alloc(N * C),
    dln: main.alloc(N * C),
    dlogits: main.alloc(N * V),
    dqkv: main.alloc(N * 3 * C),
    datty: main.alloc(N * C),
    dpreatt: main.alloc(B * H * T * T),
    datt: main.alloc(B * H * T * T),
    dfc2: main.alloc(R * C),
    dgelu: main.alloc(R * F),
    dfc1: main.alloc(R * F),
    dxg: main.alloc(R * C),
    dgates: router.alloc(N * k),
    dprobs: router.alloc(N * E),
    dlogitsRouter: router.alloc(N * E),
    dxRouter: router.alloc(N * C),
  };
}
