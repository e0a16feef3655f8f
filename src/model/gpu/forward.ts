/**
 * The MoE transformer's forward as kernel launches, one op per line in the order of the CPU
 * reference's moeForward (reference/moeTransformer.ts), recorded into the caller's encoder.
 * The losses stay on the GPU: a.loss holds total, cross-entropy, balance and z-loss (and the
 * per-layer aux losses), a.expertLoad the (L,E) dispatch counts.
 */
import type { EventCounters } from '../../gpu';
import { recordGroupedMatmulForward, recordMatmulForward } from '../../gpu/kernels/matmul';
import {
  recordCombineForward,
  recordDispatchForward,
  recordGatherForward,
  recordLoadBalanceForward,
  recordRouterForward,
  recordZLossForward,
} from '../../gpu/kernels/moe';
import {
  recordAttentionForward,
  recordCrossEntropyForward,
  recordEncoderForward,
  recordGeluForward,
  recordLayerNormForward,
} from '../../gpu/kernels/transformer';
import { layerSite } from '../reference';
import { LOSS_SLOT, recordLossTotal, recordResidual } from './kernels';
import { countingOf, type ModelParts } from './parts';

/** tokens, targets: (B,T) u32 ids in [0, V). Cast events go to `counters`. */
// prettier-ignore
export function recordModelForward(
  enc: GPUCommandEncoder,
  m: ModelParts,
  tokens: GPUBuffer,
  targets: GPUBuffer,
  counters: EventCounters,
): void {
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V, hidden: F } = m.config;
  const { balanceCoef, zLossCoef } = m.config;
  const N = B * T;
  const R = N * k;
  const { k: K, a, s } = m;
  const w = m.p.weights;
  const A = (site: number) => countingOf(counters, m.groups, 'activations', site);
  const Rt = (site: number) => countingOf(counters, m.groups, 'router', site);
  const loss = a.loss.buffer;
  recordEncoderForward(enc, K.encoder, { out: a.encoded, tokens, wte: w.wte[0], wpe: w.wpe[0] }, { B, T, C }, A(0));
  for (let l = 0; l < L; l++) {
    const site = layerSite(l);
    const la = a.layers[l];
    const x = l === 0 ? a.encoded : a.layers[l - 1].residual3; // (N,C)
    recordLayerNormForward(enc, K.layerNorm, { out: la.ln1, mean: la.ln1Mean, rstd: la.ln1Rstd, inp: x, weight: w.ln1w[l], bias: w.ln1b[l] }, { N, C }, A(site));
    recordMatmulForward(enc, K.linear, { out: la.qkv, a: la.ln1, b: w.qkvw[l], bias: w.qkvb[l] }, { form: 'NT', M: N, N: 3 * C, K: C }, A(site));
    recordAttentionForward(enc, K.attention, { out: la.atty, preatt: la.preatt, att: la.att, qkv: la.qkv, scratch: s.rows }, { B, T, C, H }, A(site));
    recordMatmulForward(enc, K.linear, { out: la.attproj, a: la.atty, b: w.attprojw[l], bias: w.attprojb[l] }, { form: 'NT', M: N, N: C, K: C }, A(site));
    recordResidual(enc, K.model.residual, { out: la.residual2, a: x, b: la.attproj }, A(site));
    recordLayerNormForward(enc, K.layerNorm, { out: la.ln2, mean: la.ln2Mean, rstd: la.ln2Rstd, inp: la.residual2, weight: w.ln2w[l], bias: w.ln2b[l] }, { N, C }, A(site));
    // MoE feed-forward: route, group tokens by expert, run each expert on its rows, combine.
    recordMatmulForward(enc, K.routerLinear, { out: la.routerLogits, a: la.ln2, b: w.routerw[l] }, { form: 'NT', M: N, N: E, K: C }, Rt(site));
    recordRouterForward(enc, K.routerForward, { logits: la.routerLogits, probs: la.routerProbs, gates: la.gates, topIdx: la.topIdx }, { N, E, k }, Rt(site));
    const d = la.dispatch;
    recordDispatchForward(enc, K.dispatch, la.topIdx, d);
    enc.copyBufferToBuffer(d.counts, 0, a.expertLoad, l * E * 4, E * 4);
    recordGatherForward(enc, K.gatherForward, { out: la.xg, inp: la.ln2, tokenOf: d.tokenOf }, { N, C, k });
    recordGroupedMatmulForward(enc, K.expert, { out: la.fc1, inp: la.xg, w: w.fc1w[l], bias: w.fc1b[l], offsets: d.offsets }, { R, E, N: F, K: C }, A(site));
    recordGeluForward(enc, K.gelu, { out: la.gelu, inp: la.fc1 }, A(site));
    recordGroupedMatmulForward(enc, K.expert, { out: la.fc2, inp: la.gelu, w: w.fc2w[l], bias: w.fc2b[l], offsets: d.offsets }, { R, E, N: C, K: F }, A(site));
    recordCombineForward(enc, K.combineForward, { out: la.moeOut, expertOut: la.fc2, gates: la.gates, rowOf: d.rowOf }, { N, C, k }, A(site));
    recordResidual(enc, K.model.residual, { out: la.residual3, a: la.residual2, b: la.moeOut }, A(site));
    recordLoadBalanceForward(enc, K.loadBalance.forward, { loss, probs: la.routerProbs, counts: d.counts }, { N, E, k, alpha: balanceCoef, slot: LOSS_SLOT.aux + l });
    recordZLossForward(enc, K.zLoss, { loss, lse: la.routerLse, logits: la.routerLogits }, { N, E, beta: zLossCoef, slot: LOSS_SLOT.aux + L + l });
  }
  const head = L + 1;
  recordLayerNormForward(enc, K.layerNorm, { out: a.lnf, mean: a.lnfMean, rstd: a.lnfRstd, inp: a.layers[L - 1].residual3, weight: w.lnfw[0], bias: w.lnfb[0] }, { N, C }, A(head));
  recordMatmulForward(enc, K.head, { out: a.logits, a: a.lnf, b: w.lmHead[0] }, { form: 'NT', M: N, N: V, K: C }, A(head));
  recordCrossEntropyForward(enc, K.crossEntropy, { probs: a.probs, losses: a.losses, loss, logits: a.logits, targets }, { N, V }, LOSS_SLOT.crossEntropy);
  recordLossTotal(enc, K.model.lossTotal, loss, L);
}
