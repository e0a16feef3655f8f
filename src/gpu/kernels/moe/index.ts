/**
 * The MoE kernel family: router (softmax, top-k, gates), dispatch (counts, offsets, grouped
 * rows), gather, weighted combine, and the auxiliary router losses, each a forward/backward pair
 * that records into a caller's encoder (nothing reads back, nothing submits). A layer's order:
 *   forward:  [router matmul] -> recordRouterForward -> recordDispatchForward -> recordGatherForward
 *             -> [expert matmuls] -> recordCombineForward; recordLoadBalanceForward, recordZLossForward
 *   backward: recordCombineBackward -> [expert matmuls] -> recordGatherBackward; clear dprobs ->
 *             recordLoadBalanceBackward -> recordRouterBackward -> recordZLossBackward -> [router matmul]
 */
export * from './router';
export * from './dispatch';
export * from './gather';
export * from './combine';
export * from './routerLosses';
export { MAX_EXPERTS, MOE_FORMATS } from './shared';
