/**
 * The MoE transformer on the CPU: forward to the losses, backward into one flat gradient buffer.
 * GPT-2 style decoder, pre-LayerNorm; each block is causal self-attention and a sparse, dropless
 * MoE feed-forward (router -> softmax -> top-k -> experts Linear-GELU-Linear -> weighted combine).
 * The LM head is a separate (untied) matrix. Aux losses are summed over layers, coefficients
 * included: loss = crossEntropy + sum_l balance_l + sum_l zLoss_l.
 *
 * Precision: `main` for everything, `router` for the router linear, softmax, gates and the aux
 * losses (F32 by default: Switch's selective precision). At the start of each forward the
 * parameters are cast into `weights` (kind 'matmul' with main.store, 'router' with router.store,
 * 'f32' copied); without a narrow format anywhere, `weights` is `params` itself, and so it is in
 * pure recipes (`storedWeights`), whose params already hold the format's values. Gradients of
 * the cast are the identity, so grads land in the f32 buffer with the parameters' layout.
 *
 * Tensor groups (storeGroups.ts): each op writes with the policy of its output's group and site,
 * so a hook can count cast events per group and layer. A matmul backward writes an activation
 * gradient and a weight gradient, so it is called once for each (the two are independent).
 */
import {
  allocateActivations,
  allocateGradientScratch,
  type Activations,
  type GradientScratch,
} from './activations';
import { attentionBackward, attentionForward } from './attention';
import { combineBackward, combineForward } from './combine';
import { crossEntropyBackward, crossEntropyForward } from './crossEntropy';
import { dispatchForward, gatherBackward, gatherForward } from './dispatch';
import { encoderBackward, encoderForward } from './embedding';
import { geluBackward, geluForward } from './gelu';
import { groupedMatmulBackward, groupedMatmulForward } from './groupedMatmul';
import { layerNormBackward, layerNormForward } from './layerNorm';
import { matmulBackward, matmulForward } from './matmul';
import {
  initParameters,
  parameterLayout,
  parameterViews,
  resolveConfig,
  type MoeConfig,
  type ParameterLayout,
  type ParameterViews,
  type ResolvedMoeConfig,
} from './parameters';
import { addInto, F32, residualForward, type Buf, type Precision } from './precision';
import { routerBackward, routerForward } from './router';
import {
  groupPolicies,
  layerSite,
  parameterSite,
  type GroupPolicies,
  type StoreHook,
} from './storeGroups';
import {
  loadBalanceBackward,
  loadBalanceForward,
  zLossBackward,
  zLossForward,
} from './routerLosses';

export interface ModelPrecision {
  main: Precision;
  /** Default F32 (or F64 when main is F64). */
  router?: Precision;
  /** Params hold the values the forward reads (pure low-precision recipes): no per-step cast. */
  storedWeights?: boolean;
  /** Wraps the policy of each tensor group and site, e.g. to count cast events. */
  hook?: StoreHook;
}

export interface MoeModel {
  readonly config: ResolvedMoeConfig;
  readonly main: Precision;
  readonly router: Precision;
  /** The policy each op writes with, per tensor group and site. */
  readonly policies: GroupPolicies;
  readonly layout: ParameterLayout;
  /** (total) f32 master weights, or the stored weights of a pure recipe. */
  readonly params: Buf;
  /** (total) gradients, same layout. */
  readonly grads: Buf;
  /** (total) the parameters as the forward reads them (cast each step), or params itself. */
  readonly weights: Buf;
  readonly w: ParameterViews;
  readonly g: ParameterViews;
  readonly acts: Activations;
  readonly scratch: GradientScratch;
  readonly tokens: Int32Array; // (B,T)
  readonly targets: Int32Array; // (B,T)
}

export interface MoeLosses {
  /** Total loss the backward differentiates. */
  loss: number;
  crossEntropy: number;
  /** Load-balancing loss summed over layers, alpha included. */
  balance: number;
  /** Router z-loss summed over layers, beta included. */
  zLoss: number;
  /** (L,E) tokens (assignments) routed to each expert. */
  expertLoad: Int32Array;
}

export function createMoeModel(
  config: MoeConfig,
  precision: ModelPrecision,
  seed: number,
  initStd = 0.02,
): MoeModel {
  const c = resolveConfig(config);
  const main = precision.main;
  const router = precision.router ?? (main.storage === null ? main : F32);
  const layout = parameterLayout(c);
  const params = main.alloc(layout.total);
  initParameters(main, params, layout, seed, initStd);
  const narrow = (p: Precision): boolean => p.storage !== null && p.storage !== 'fp32';
  const cast = !precision.storedWeights && (narrow(main) || narrow(router));
  const weights = cast ? main.alloc(layout.total) : params;
  const grads = main.alloc(layout.total);
  const N = c.batch * c.context;
  return {
    config: c,
    main,
    router,
    policies: groupPolicies(main, router, c.layers, precision.hook),
    layout,
    params,
    grads,
    weights,
    w: parameterViews(weights, layout),
    g: parameterViews(grads, layout),
    acts: allocateActivations(main, router, c),
    scratch: allocateGradientScratch(main, router, c),
    tokens: new Int32Array(N),
    targets: new Int32Array(N),
  };
}

/** weights = params cast per tensor kind (a no-op when weights is params): 'matmul' tensors
 * with the weights group's policy, 'router' with the router group's, 'f32' copied. */
export function castWeights(m: MoeModel): void {
  if (m.weights === m.params) return;
  const { params, weights, policies } = m;
  const L = m.config.layers;
  for (const e of m.layout.entries) {
    const slice = e.size / e.layers;
    for (let l = 0; l < e.layers; l++) {
      const site = parameterSite(e.name, l, L);
      const start = e.offset + l * slice;
      if (e.kind === 'f32') {
        weights.set(params.subarray(start, start + slice), start);
        continue;
      }
      const store = (e.kind === 'matmul' ? policies.weights : policies.router)[site].store;
      for (let i = start; i < start + slice; i++) weights[i] = store(params[i]);
    }
  }
}


/** tokens, targets: (B,T) ids in [0, V). One op call per line, as llm.c's gpt2_forward.
 * Policies: A activations, R router, by site (0 embed, l + 1 block l, L + 1 head). */
// prettier-ignore
export function moeForward(m: MoeModel, tokens: Int32Array, targets: Int32Array): MoeLosses {
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V, hidden: F } = m.config;
  const N = B * T;
  const R = N * k;
  if (tokens.length !== N || targets.length !== N) {
    throw new Error(`MoE forward: got ${tokens.length} tokens and ${targets.length} targets, expected B*T = ${N}.`);
  }
  m.tokens.set(tokens);
  m.targets.set(targets);
  castWeights(m);
  const { w, acts: a } = m;
  const A = m.policies.activations;
  const Rp = m.policies.router;
  const { balanceCoef, zLossCoef } = m.config;
  encoderForward(A[0], a.encoded, tokens, w.wte[0], w.wpe[0], B, T, C);
  let balance = 0;
  let zLoss = 0;
  const expertLoad = new Int32Array(L * E);
  for (let l = 0; l < L; l++) {
    const p = A[layerSite(l)];
    const router = Rp[layerSite(l)];
    const x = l === 0 ? a.encoded : a.residual3[l - 1]; // (N,C)
    layerNormForward(p, a.ln1[l], a.ln1Mean[l], a.ln1Rstd[l], x, w.ln1w[l], w.ln1b[l], N, C);
    matmulForward(p, 'NT', a.qkv[l], a.ln1[l], w.qkvw[l], w.qkvb[l], N, 3 * C, C);
    attentionForward(p, a.atty[l], a.preatt[l], a.att[l], a.qkv[l], B, T, C, H);
    matmulForward(p, 'NT', a.attproj[l], a.atty[l], w.attprojw[l], w.attprojb[l], N, C, C);
    residualForward(p, a.residual2[l], x, a.attproj[l]);
    layerNormForward(p, a.ln2[l], a.ln2Mean[l], a.ln2Rstd[l], a.residual2[l], w.ln2w[l], w.ln2b[l], N, C);
    // MoE feed-forward: route, group tokens by expert, run each expert on its rows, combine.
    matmulForward(router, 'NT', a.routerLogits[l], a.ln2[l], w.routerw[l], null, N, E, C);
    routerForward(router, a.routerProbs[l], a.topIdx[l], a.gates[l], a.routerLogits[l], N, E, k);
    const d = a.dispatch[l];
    dispatchForward(d, a.topIdx[l], N, E, k);
    expertLoad.set(d.counts, l * E);
    gatherForward(a.xg[l], a.ln2[l], d.tokenOf, R, C);
    groupedMatmulForward(p, a.fc1[l], a.xg[l], w.fc1w[l], w.fc1b[l], d.offsets, E, F, C);
    geluForward(p, a.gelu[l], a.fc1[l], R * F);
    groupedMatmulForward(p, a.fc2[l], a.gelu[l], w.fc2w[l], w.fc2b[l], d.offsets, E, C, F);
    combineForward(p, a.moeOut[l], a.fc2[l], a.gates[l], d.rowOf, N, k, C);
    residualForward(p, a.residual3[l], a.residual2[l], a.moeOut[l]);
    const r = router.round;
    balance = r(balance + loadBalanceForward(router, a.routerProbs[l], d.counts, N, E, k, balanceCoef));
    zLoss = r(zLoss + zLossForward(router, a.routerLse[l], a.routerLogits[l], N, E, zLossCoef));
  }
  const head = A[L + 1];
  layerNormForward(head, a.lnf, a.lnfMean, a.lnfRstd, a.residual3[L - 1], w.lnfw[0], w.lnfb[0], N, C);
  matmulForward(head, 'NT', a.logits, a.lnf, w.lmHead[0], null, N, V, C);
  const crossEntropy = crossEntropyForward(head, a.losses, a.probs, a.logits, targets, N, V);
  const r = m.main.round;
  return { loss: r(r(crossEntropy + balance) + zLoss), crossEntropy, balance, zLoss, expertLoad };
}

/**
 * Fills m.grads with the gradient of (dloss * loss) for the last forward; dloss is 1, or the
 * loss scale. Walks the forward in reverse order, one op call per line (a matmul backward is two
 * calls: the activation gradient with its group's policy, then the weight gradient with its own).
 * Policies by site: D activation gradients, G weight gradients, R router.
 */
// prettier-ignore
export function moeBackward(m: MoeModel, dloss = 1): void {
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V, hidden: F } = m.config;
  const { balanceCoef, zLossCoef } = m.config;
  const N = B * T;
  const { w, g, acts: a, scratch: s } = m;
  const D = m.policies.activation_grads;
  const G = m.policies.weight_grads;
  const Rp = m.policies.router;
  m.grads.fill(0);
  crossEntropyBackward(D[L + 1], s.dlogits, a.probs, m.targets, dloss, N, V);
  matmulBackward(D[L + 1], 'NT', s.dln, null, null, s.dlogits, a.lnf, w.lmHead[0], N, V, C);
  matmulBackward(G[L + 1], 'NT', null, g.lmHead[0], null, s.dlogits, a.lnf, w.lmHead[0], N, V, C);
  s.dres.fill(0);
  layerNormBackward(D[L + 1], s.dres, g.lnfw[0], g.lnfb[0], s.dln, a.residual3[L - 1], w.lnfw[0], a.lnfMean, a.lnfRstd, N, C);
  for (let l = L - 1; l >= 0; l--) {
    const p = D[layerSite(l)];
    const pw = G[layerSite(l)];
    const router = Rp[layerSite(l)];
    const x = l === 0 ? a.encoded : a.residual3[l - 1];
    const d = a.dispatch[l];
    // MoE branch: residual3 = residual2 + moeOut, so d(moeOut) = dres.
    combineBackward(p, s.dfc2, s.dgates, s.dres, a.fc2[l], a.gates[l], d.rowOf, N, k, C);
    groupedMatmulBackward(p, s.dgelu, null, null, s.dfc2, a.gelu[l], w.fc2w[l], d.offsets, E, C, F);
    groupedMatmulBackward(pw, null, g.fc2w[l], g.fc2b[l], s.dfc2, a.gelu[l], w.fc2w[l], d.offsets, E, C, F);
    geluBackward(p, s.dfc1, a.fc1[l], s.dgelu, N * k * F);
    groupedMatmulBackward(p, s.dxg, null, null, s.dfc1, a.xg[l], w.fc1w[l], d.offsets, E, F, C);
    groupedMatmulBackward(pw, null, g.fc1w[l], g.fc1b[l], s.dfc1, a.xg[l], w.fc1w[l], d.offsets, E, F, C);
    gatherBackward(p, s.dln, s.dxg, d.rowOf, N, k, C);
    // Router: gates and the load-balancing loss reach the probs, the z-loss the logits.
    s.dprobs.fill(0);
    loadBalanceBackward(router, s.dprobs, d.counts, N, E, k, balanceCoef, dloss);
    routerBackward(router, s.dlogitsRouter, s.dprobs, s.dgates, a.routerProbs[l], a.topIdx[l], a.gates[l], N, E, k);
    zLossBackward(router, s.dlogitsRouter, a.routerLogits[l], a.routerLse[l], N, E, zLossCoef, dloss);
    matmulBackward(router, 'NT', s.dxRouter, g.routerw[l], null, s.dlogitsRouter, a.ln2[l], w.routerw[l], N, E, C);
    addInto(p, s.dln, s.dxRouter, N * C);
    layerNormBackward(p, s.dres, g.ln2w[l], g.ln2b[l], s.dln, a.residual2[l], w.ln2w[l], a.ln2Mean[l], a.ln2Rstd[l], N, C);
    // Attention branch: residual2 = x + attproj, so d(attproj) = dres.
    matmulBackward(p, 'NT', s.datty, null, null, s.dres, a.atty[l], w.attprojw[l], N, C, C);
    matmulBackward(pw, 'NT', null, g.attprojw[l], g.attprojb[l], s.dres, a.atty[l], w.attprojw[l], N, C, C);
    attentionBackward(p, s.dqkv, s.dpreatt, s.datt, s.datty, a.qkv[l], a.att[l], B, T, C, H);
    matmulBackward(p, 'NT', s.dln, null, null, s.dqkv, a.ln1[l], w.qkvw[l], N, 3 * C, C);
    matmulBackward(pw, 'NT', null, g.qkvw[l], g.qkvb[l], s.dqkv, a.ln1[l], w.qkvw[l], N, 3 * C, C);
    layerNormBackward(p, s.dres, g.ln1w[l], g.ln1b[l], s.dln, x, w.ln1w[l], a.ln1Mean[l], a.ln1Rstd[l], N, C);
  }
  encoderBackward(D[0], g.wte[0], g.wpe[0], s.dres, m.tokens, B, T, C);
}
