/**
 * The WebGPU engine's foundation. Everything a kernel author needs:
 *
 * Device (device.ts)
 *   acquireDevice(options?) -> Promise<GpuContext>   adapter, device, info, features, limits, lost,
 *     onLost(listener). Optional features timestamp-query / subgroups / shader-f16 only when the
 *     adapter has them; max limits for buffer size, binding size, workgroup storage, invocations.
 *     Throws GpuUnavailableError (reason + a sentence saying what to do).
 *   withErrorScope(device, label, fn)   validation + OOM scopes; throws GpuOperationError naming label.
 *
 * Pipelines (pipelines.ts)
 *   new PipelineCache(device); cache.get(key, () => source)  compile once per shader key, labelled,
 *     WGSL errors reported with the kernel name and getCompilationInfo lines.
 *
 * Tensors (tensor.ts, packing.ts)
 *   Tensor {shape, size, storage: FormatName, buffer, byteLength, label, category}: fp16/bf16 two
 *     per u32 word (element 2i low half), fp8 four per word; byteLength = ceil(n / lanes) * 4.
 *   new BufferPool(device): acquire / release / bytesByCategory / trim / destroy.
 *   createTensor(pool, {shape, storage, label, category}), releaseTensor(pool, t)
 *   writeTensor(device, t, values)   values rounded on the CPU with numerics encode.
 *   readTensor(device, t) -> Float64Array (numerics decode); readTensorBits, readTensorWords,
 *     readBuffer(device, buffer): explicit async read-back, never inside an op.
 *
 * Kernels (kernels/)
 *   KernelDescriptor {name, body (.wgsl ?raw), bindings, uniforms, workgroupSize, countsEvents,
 *     dispatch(work, limits)}; KernelVariant {formats, counting, extraFormats}.
 *   compileKernel(ctx, cache, descriptor, variant) -> Promise<CompiledKernel>
 *   runKernel(encoderOrPass, compiled, {buffers, uniforms, work})   records one dispatch; bind
 *     groups and uniform buffers are cached per arguments, so many kernels go into one submit.
 *   dispatch1d(n, workgroupSizeX, maxPerDim) for 1-D kernels (WGSL: linear_index(gid, nwg)).
 *   The generated prelude (prelude.ts, formatWgsl.ts) gives each body its bindings and, per tensor
 *     binding x: load_x(i), load_x_bits(i), x_encode, x_stochastic, x_event, store_x_word,
 *     store_x_pair (16-bit) / store_x_quad (8-bit) / store_x (fp32); random32(key, counter).
 *   EventCounters(pool, groups): counters[group][overflow|underflow|subnormal|nonfinite];
 *     WGSL: tally += event_onehot(code); flush_events(group, tally) in uniform control flow.
 *   castKernel / compileCast / recordCast: any format -> any format with event counting;
 *     copyF32Kernel / compileCopyF32 / recordCopyF32: plain f32 copy.
 *
 * Self-tests (selftest/conversion.ts): runConversionSelfTests() -> SelfTestResult[].
 */
export * from './device';
export * from './pipelines';
export * from './tensor';
export * from './packing';
export * from './kernels/kernel';
export * from './kernels/counters';
export * from './kernels/convert';
export {
  GENERATED_NOTE,
  bindingSlots,
  generatePrelude,
  tensorAccessorsWgsl,
} from './kernels/prelude';
export type {
  BindingAccess,
  BindingDecl,
  BindingSlot,
  BindingType,
  PreludeSpec,
  UniformType,
} from './kernels/prelude';
export { formatWgsl, wgslFormatId } from './kernels/formatWgsl';
