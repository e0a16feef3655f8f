/**
 * The transformer's non-matmul ops on the GPU, each a forward/backward pair checked against
 * src/model/reference (self-test: src/model/selftest/transformer.ts):
 *   compileEncoder      recordEncoderForward / recordEncoderBackward      token + position embedding
 *   compileLayerNorm    recordLayerNormForward / recordLayerNormBackward  (backward ADDS into dinp)
 *   compileGelu         recordGeluForward / recordGeluBackward
 *   compileAttention    recordAttentionForward / recordAttentionBackward  causal multi-head core
 *   compileCrossEntropy recordCrossEntropyForward / recordCrossEntropyBackward (loss on the GPU,
 *                       loss scale read from a GPU buffer)
 * compile* takes a TransformerVariant {storage, params?, counting?}; record* records dispatches
 * into the caller's encoder (or open pass), never submits and never reads back.
 */
export * from './common';
export * from './encoder';
export * from './layerNorm';
export * from './gelu';
export * from './attention';
export * from './crossEntropy';
