/**
 * The backward as kernel launches: the CPU reference's moeBackward (reference/moeTransformer.ts)
 * walked line by line, i.e. the forward in reverse. Gradients of (lossScale * loss) land in the
 * parameters' gradient views (parameters.ts: f32, 16-bit for the cast tensors, or the pure
 * format); each is overwritten once per backward. The loss scale is read on the GPU: the
 * optimizer state's scale (1 for recipes without loss scaling), copied to s.lossScale first.
 */
import { STATE_WORD } from '../../gpu/kernels/optim';
import { recordGroupedMatmulBackward, recordMatmulBackward } from '../../gpu/kernels/matmul';
import {
  recordCombineBackward,
  recordGatherBackward,
  recordLoadBalanceBackward,
  recordRouterBackward,
  recordZLossBackward,
} from '../../gpu/kernels/moe';
import {
  recordAttentionBackward,
  recordCrossEntropyBackward,
  recordEncoderBackward,
  recordGeluBackward,
  recordLayerNormBackward,
} from '../../gpu/kernels/transformer';
import { layerSite } from '../reference';
import { recordAddInto } from './kernels';
import { isPurePolicy } from './policy';
import { countingOf, type ModelParts } from './parts';

/** tokens, targets: the buffers of the last forward. */
// prettier-ignore
export function recordModelBackward(enc: GPUCommandEncoder, m: ModelParts, tokens: GPUBuffer, targets: GPUBuffer): void {
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V, hidden: F } = m.config;
  const { balanceCoef, zLossCoef } = m.config;
  const N = B * T;
  const R = N * k;
  const { k: K, a, s, counters, groups } = m;
  const w = m.p.weights;
  const g = m.p.gradOut;
  const D = (site: number) => countingOf(counters, groups, 'activation_grads', site);
  const Rt = (site: number) => countingOf(counters, groups, 'router', site);
  const G = (site: number) => groups.index('weight_grads', site);
  // Activation gradient events to D, matmul weight and bias gradients to the weight-gradient
  // group; gradients of f32 parameters (layer norm, embeddings) are f32 reductions the reference
  // does not count, unless a pure recipe stores them in its format.
  const pure = isPurePolicy(m.policy);
  const paramGroup = (site: number) => (pure ? G(site) : groups.uncounted);
  const DG = (site: number) => ({ ...D(site), paramGroup: paramGroup(site), groups: { db: G(site), dbias: G(site) } });
  // The router weight's gradient is a router tensor, but a pure recipe stores it (in its format)
  // as a weight gradient, the one rounding the GPU does there.
  const routerGrad = (site: number) => ({ ...Rt(site), groups: { db: pure ? G(site) : Rt(site).group } });
  enc.copyBufferToBuffer(m.state.buffer, STATE_WORD.scale * 4, s.lossScale.buffer, 0, 4);
  const lossScale = s.lossScale;
  const head = L + 1;
  recordCrossEntropyBackward(enc, K.crossEntropy, { dlogits: s.dlogits, probs: a.probs, targets, dloss: lossScale }, { N, V }, D(head));
  recordMatmulBackward(enc, K.headBackward, { dout: s.dlogits, a: a.lnf, b: w.lmHead[0], da: s.dln, db: g.lmHead[0] }, { form: 'NT', M: N, N: V, K: C }, DG(head));
  enc.clearBuffer(s.dres.buffer);
  recordLayerNormBackward(enc, K.layerNorm, { dinp: s.dres, dweight: g.lnfw[0], dbias: g.lnfb[0], dout: s.dln, inp: a.layers[L - 1].residual3, weight: w.lnfw[0], mean: a.lnfMean, rstd: a.lnfRstd, scratch: s.rows }, { N, C }, DG(head));
  for (let l = L - 1; l >= 0; l--) {
    const site = layerSite(l);
    const la = a.layers[l];
    const x = l === 0 ? a.encoded : a.layers[l - 1].residual3;
    const d = la.dispatch;
    // MoE branch: residual3 = residual2 + moeOut, so d(moeOut) = dres.
    recordCombineBackward(enc, K.combineBackward, { dexpertOut: s.dfc2, dgates: s.dgates, dout: s.dres, expertOut: la.fc2, gates: la.gates, rowOf: d.rowOf, tokenOf: d.tokenOf }, { N, C, k }, D(site));
    recordGroupedMatmulBackward(enc, K.expertBackward, { dout: s.dfc2, inp: la.gelu, w: w.fc2w[l], offsets: d.offsets, dinp: s.dgelu, dw: g.fc2w[l], dbias: g.fc2b[l] }, { R, E, N: C, K: F }, DG(site));
    recordGeluBackward(enc, K.gelu, { dinp: s.dfc1, inp: la.fc1, dout: s.dgelu }, D(site));
    recordGroupedMatmulBackward(enc, K.expertBackward, { dout: s.dfc1, inp: la.xg, w: w.fc1w[l], offsets: d.offsets, dinp: s.dxg, dw: g.fc1w[l], dbias: g.fc1b[l] }, { R, E, N: F, K: C }, DG(site));
    recordGatherBackward(enc, K.gatherBackward, { dinp: s.dln, dout: s.dxg, rowOf: d.rowOf }, { N, C, k }, D(site));
    // Router: gates and the load-balancing loss reach the probs, the z-loss the logits.
    enc.clearBuffer(s.dprobs.buffer);
    recordLoadBalanceBackward(enc, K.loadBalance.backward, { dprobs: s.dprobs, counts: d.counts, lossScale }, { N, E, k, alpha: balanceCoef });
    recordRouterBackward(enc, K.routerBackward, { dlogits: s.dlogitsRouter, dprobs: s.dprobs, dgates: s.dgates, probs: la.routerProbs, gates: la.gates, topIdx: la.topIdx }, { N, E, k }, Rt(site));
    recordZLossBackward(enc, K.zLoss, { dlogits: s.dlogitsRouter, logits: la.routerLogits, lse: la.routerLse, lossScale }, { N, E, beta: zLossCoef }, Rt(site));
    recordMatmulBackward(enc, K.routerLinearBackward, { dout: s.dlogitsRouter, a: la.ln2, b: w.routerw[l], da: s.dxRouter, db: g.routerw[l] }, { form: 'NT', M: N, N: E, K: C }, routerGrad(site));
    recordAddInto(enc, K.model.addInto, { dst: s.dln, src: s.dxRouter }, D(site));
    recordLayerNormBackward(enc, K.layerNorm, { dinp: s.dres, dweight: g.ln2w[l], dbias: g.ln2b[l], dout: s.dln, inp: la.residual2, weight: w.ln2w[l], mean: la.ln2Mean, rstd: la.ln2Rstd, scratch: s.rows }, { N, C }, DG(site));
    // Attention branch: residual2 = x + attproj, so d(attproj) = dres.
    recordMatmulBackward(enc, K.linearBackward, { dout: s.dres, a: la.atty, b: w.attprojw[l], da: s.datty, db: g.attprojw[l], dbias: g.attprojb[l] }, { form: 'NT', M: N, N: C, K: C }, DG(site));
    recordAttentionBackward(enc, K.attention, { dqkv: s.dqkv, dpreatt: s.dpreatt, datt: s.datt, dout: s.datty, qkv: la.qkv, att: la.att, scratch: s.rows }, { B, T, C, H }, D(site));
    recordMatmulBackward(enc, K.linearBackward, { dout: s.dqkv, a: la.ln1, b: w.qkvw[l], da: s.dln, db: g.qkvw[l], dbias: g.qkvb[l] }, { form: 'NT', M: N, N: 3 * C, K: C }, DG(site));
    recordLayerNormBackward(enc, K.layerNorm, { dinp: s.dres, dweight: g.ln1w[l], dbias: g.ln1b[l], dout: s.dln, inp: x, weight: w.ln1w[l], mean: la.ln1Mean, rstd: la.ln1Rstd, scratch: s.rows }, { N, C }, DG(site));
  }
  recordEncoderBackward(enc, K.encoder, { dwte: g.wte[0], dwpe: g.wpe[0], dout: s.dres, tokens }, { B, T, C }, DG(0));
}
