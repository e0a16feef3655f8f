/**
 * Tensor groups and sites: where a stored value belongs, so that cast events can be counted per
 * group and per layer (DESIGN.md §1, "events per step by tensor group"). The model asks a
 * `StoreHook` once, at creation, for the policy of each (group, site); the hook may return the
 * policy itself (no counting) or one whose `store` also tallies what the rounding did.
 *
 * Sites: 0 is 'embed' (token and position embeddings, the encoder output), 1 .. L are the
 * blocks (layer0 .. layer{L-1}), L + 1 is 'head' (final layer norm, LM head, logits).
 */
import type { ParameterName } from './parameters';
import type { Precision } from './precision';

export const TENSOR_GROUPS = [
  'weights',
  'activations',
  'activation_grads',
  'weight_grads',
  'router',
] as const;
/** weights: the per-step cast of master weights (or the optimizer's store in pure recipes);
 * router: every tensor of the router (its weight cast, logits, probabilities, gates, their
 * gradients), under the router's policy. */
export type TensorGroup = (typeof TENSOR_GROUPS)[number];

/** Site names for a model of L layers: ['embed', 'layer0', ..., 'head']. */
export function siteNames(L: number): string[] {
  return ['embed', ...Array.from({ length: L }, (_, l) => `layer${l}`), 'head'];
}

/** The site of block l. */
export const layerSite = (l: number): number => l + 1;

const EMBED_TENSORS: readonly ParameterName[] = ['wte', 'wpe'];
const HEAD_TENSORS: readonly ParameterName[] = ['lnfw', 'lnfb', 'lmHead'];

/** The site of layer l's slice of a parameter tensor (l is 0 outside the blocks). */
export function parameterSite(name: ParameterName, l: number, L: number): number {
  if (EMBED_TENSORS.includes(name)) return 0;
  if (HEAD_TENSORS.includes(name)) return L + 1;
  return layerSite(l);
}

export type StoreHook = (policy: Precision, group: TensorGroup, site: number) => Precision;

/** Policies of every (group, site), indexed [site]. */
export type GroupPolicies = Readonly<Record<TensorGroup, readonly Precision[]>>;

/** Policies for L layers: the router group wraps `router`, the others `main`. */
export function groupPolicies(
  main: Precision,
  router: Precision,
  L: number,
  hook: StoreHook | undefined,
): GroupPolicies {
  const sites = L + 2;
  const out = {} as Record<TensorGroup, Precision[]>;
  for (const group of TENSOR_GROUPS) {
    const base = group === 'router' ? router : main;
    out[group] = Array.from({ length: sites }, (_, s) => (hook ? hook(base, group, s) : base));
  }
  return out;
}
