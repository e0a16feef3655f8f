/**
 * Kernel descriptors (tfjs-backend-webgpu style) and recording their dispatches.
 *
 * A KernelDescriptor is the WGSL body (a `.wgsl` file imported with Vite `?raw`, entry point
 * `main`) plus what the generated prelude needs to declare around it: bindings, uniform fields,
 * workgroup size, and how a problem size becomes workgroup counts. A KernelVariant picks the
 * storage format of each tensor binding and the event-counting variant; the shader key is built
 * from both, so each (kernel, variant) compiles once.
 *
 * Use:
 *   const k = await compileKernel(ctx, cache, castKernel, { formats: { src: 'fp32', dst: 'bf16' } });
 *   const encoder = device.createCommandEncoder();
 *   runKernel(encoder, k, { buffers: { src, dst, counters }, uniforms: { n, words, group }, work: [words] });
 *   ...more kernels into the same encoder...
 *   device.queue.submit([encoder.finish()]);
 * Launches (bind group + uniform buffer) are cached per (buffers, uniforms, work), so a training
 * step that repeats the same dispatches creates no GPU objects after its first run.
 */
import type { FormatName } from '../../numerics';
import type { GpuContext } from '../device';
import type { PipelineCache } from '../pipelines';
import type { Tensor } from '../tensor';
import type { EventCounting } from './counters';
import {
  bindingSlots,
  generatePrelude,
  type BindingDecl,
  type BindingSlot,
  type UniformType,
} from './prelude';

export interface KernelDescriptor {
  /** Labels the shader module, pipeline and passes; error messages quote it. */
  readonly name: string;
  /** WGSL body: functions and `@compute @workgroup_size(WG_X, WG_Y, WG_Z) fn main(...)`. */
  readonly body: string;
  /** Storage bindings in slot order (group 0). */
  readonly bindings: readonly BindingDecl[];
  /** Fields of the `params` uniform (4 bytes each, in order). */
  readonly uniforms: Readonly<Record<string, UniformType>>;
  readonly workgroupSize: readonly [number, number, number];
  /** True when the body tallies cast events and calls flush_events (then `counters` is bound). */
  readonly countsEvents: boolean;
  /** Workgroup counts for a problem size (its meaning is the kernel's, e.g. [words]). */
  dispatch(work: readonly number[], limits: GPUSupportedLimits): [number, number, number];
}

export interface KernelVariant {
  /** Storage format of each 'tensor' binding. */
  formats?: Readonly<Record<string, FormatName>>;
  /** Default: 'subgroup' when the device has subgroups, else 'atomic'; 'off' when the kernel does
   * not count. 'atomic' can be forced to test the fallback. */
  counting?: EventCounting;
  /** Extra format helpers to include (for kernels that round to a format chosen at run time). */
  extraFormats?: readonly FormatName[];
}

type ResolvedVariant = Required<KernelVariant>;

export function resolveVariant(
  ctx: Pick<GpuContext, 'features'>,
  kernel: KernelDescriptor,
  variant: KernelVariant,
): ResolvedVariant {
  let counting: EventCounting = 'off';
  if (kernel.countsEvents) {
    counting = variant.counting ?? (ctx.features.has('subgroups') ? 'subgroup' : 'atomic');
    if (counting === 'subgroup' && !ctx.features.has('subgroups')) {
      throw new Error(
        `Kernel "${kernel.name}" was asked to count events with subgroups, but this GPU device has no "subgroups" feature: use counting 'atomic'.`,
      );
    }
  }
  return { formats: variant.formats ?? {}, counting, extraFormats: variant.extraFormats ?? [] };
}

/** Pipeline cache key: kernel name, tensor formats, counting variant, extra formats. */
export function shaderKey(kernel: KernelDescriptor, variant: ResolvedVariant): string {
  const formats = kernel.bindings
    .filter((b) => b.type === 'tensor')
    .map((b) => `${b.name}:${variant.formats[b.name]}`)
    .join(',');
  return `${kernel.name}[${formats}]count=${variant.counting}${variant.extraFormats.length ? `+${[...variant.extraFormats].sort().join(',')}` : ''}`;
}

/** The full WGSL of a kernel variant: generated prelude, then the body. */
export function kernelWgsl(kernel: KernelDescriptor, variant: ResolvedVariant): string {
  const prelude = generatePrelude({
    bindings: kernel.bindings,
    formats: variant.formats,
    uniforms: kernel.uniforms,
    counting: variant.counting,
    workgroupSize: kernel.workgroupSize,
    extraFormats: variant.extraFormats,
  });
  return `${prelude}\n// ---- kernel ${kernel.name}\n${kernel.body}`;
}

/** Lines before the body in kernelWgsl's text. */
function bodyLineOffset(code: string, body: string): number {
  return code.slice(0, code.length - body.length).split('\n').length - 1;
}

/** Workgroup counts for n invocations in 1-D, spread over y past the per-dimension limit.
 * Bodies index with linear_index(gid, nwg) and bounds-check against n. */
export function dispatch1d(
  n: number,
  workgroupSizeX: number,
  maxPerDimension = 65535,
): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSizeX));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxPerDimension) {
    throw new Error(
      `A 1-D dispatch of ${n} invocations needs ${groups} workgroups, more than this GPU allows (${maxPerDimension}²): split the work.`,
    );
  }
  return [x, y, 1];
}

const compiled = new WeakMap<PipelineCache, Map<string, Promise<CompiledKernel>>>();
/** The kernels each cache has compiled so far (for releaseLaunches). */
const ready = new WeakMap<PipelineCache, Set<CompiledKernel>>();

/** Forgets the cached launches of every kernel compiled with this cache and destroys their
 * uniform buffers: for when the buffers they bind are gone (a run's teardown). Work already
 * submitted with them completes (destruction waits for it). */
export function releaseLaunches(cache: PipelineCache): void {
  for (const k of ready.get(cache) ?? []) k.releaseLaunches();
}

/** Compiles (once per cache and shader key) and returns the kernel variant ready to record. */
export function compileKernel(
  ctx: GpuContext,
  cache: PipelineCache,
  kernel: KernelDescriptor,
  variant: KernelVariant = {},
): Promise<CompiledKernel> {
  const resolved = resolveVariant(ctx, kernel, variant);
  const key = shaderKey(kernel, resolved);
  let perCache = compiled.get(cache);
  if (!perCache) compiled.set(cache, (perCache = new Map()));
  let result = perCache.get(key);
  if (!result) {
    const slots = bindingSlots({
      bindings: kernel.bindings,
      uniforms: kernel.uniforms,
      counting: resolved.counting,
    });
    const layout = ctx.device.createBindGroupLayout({
      label: kernel.name,
      entries: slots.map((s) => ({
        binding: s.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: s.kind },
      })),
    });
    result = cache
      .get(key, () => {
        const code = kernelWgsl(kernel, resolved);
        return {
          label: key,
          code,
          bindGroupLayouts: [layout],
          bodyLineOffset: bodyLineOffset(code, kernel.body),
        };
      })
      .then((pipeline) => {
        const k = new CompiledKernel(ctx, kernel, resolved, key, pipeline, layout, slots);
        let set = ready.get(cache);
        if (!set) ready.set(cache, (set = new Set()));
        set.add(k);
        return k;
      });
    perCache.set(key, result);
    result.catch(() => perCache.delete(key));
  }
  return result;
}

/** Something bound to a slot: a GPUBuffer, or anything holding one (Tensor, EventCounters). One
 * with a `byteOffset` (a view of a tensor inside a flat buffer) binds only its bytes:
 * [byteOffset, byteOffset + byteLength), the offset a multiple of the storage offset alignment. */
export type Bindable =
  | GPUBuffer
  | { readonly buffer: GPUBuffer; readonly byteOffset?: number; readonly byteLength?: number };

export interface LaunchSpec {
  buffers: Readonly<Record<string, Bindable>>;
  uniforms?: Readonly<Record<string, number>>;
  /** Problem size passed to the descriptor's dispatch. */
  work: readonly number[];
}

export interface KernelLaunch {
  readonly bindGroup: GPUBindGroup;
  /** The launch's own uniform buffer (destroyed when the launch leaves the cache). */
  readonly uniformBuffer: GPUBuffer | null;
  readonly workgroups: readonly [number, number, number];
  /** Records the dispatch: into `target`'s own compute pass, or into an open pass. */
  record(target: GPUCommandEncoder | GPUComputePassEncoder, pass?: GPUComputePassDescriptor): void;
}

const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 1;
function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) bufferIds.set(b, (id = nextBufferId++));
  return id;
}

/** A binding's part of a launch's cache key: the buffer, and the range when it has one. */
function bindingKey(b: GPUBufferBinding): string {
  const id = bufferId(b.buffer);
  return b.offset === undefined ? `${id}` : `${id}@${b.offset}+${b.size}`;
}

const MAX_CACHED_LAUNCHES = 4096;

export class CompiledKernel {
  private readonly launches = new Map<string, KernelLaunch>();

  constructor(
    readonly ctx: GpuContext,
    readonly kernel: KernelDescriptor,
    readonly variant: ResolvedVariant,
    readonly key: string,
    readonly pipeline: GPUComputePipeline,
    readonly layout: GPUBindGroupLayout,
    readonly slots: readonly BindingSlot[],
  ) {}

  get name(): string {
    return this.kernel.name;
  }

  /** The bind group, uniform buffer and workgroup counts for these arguments (cached). */
  launch(spec: LaunchSpec): KernelLaunch {
    const slots = this.slots.filter((s) => s.kind !== 'uniform');
    const bindings = slots.map((s) => this.bindingFor(s.name, spec.buffers[s.name]));
    const uniformNames = Object.keys(this.kernel.uniforms);
    const values = uniformNames.map((n) => {
      const v = spec.uniforms?.[n];
      if (v === undefined)
        throw new Error(`Kernel "${this.key}" needs the uniform "${n}"; give uniforms.${n}.`);
      return v;
    });
    const cacheKey = `${bindings.map(bindingKey).join(',')}|${values.join(',')}|${spec.work.join(',')}`;
    const cached = this.launches.get(cacheKey);
    if (cached) {
      // Re-insert so the map's order is least recently used first.
      this.launches.delete(cacheKey);
      this.launches.set(cacheKey, cached);
      return cached;
    }

    const device = this.ctx.device;
    let ownUniforms: GPUBuffer | null = null;
    const entries: GPUBindGroupEntry[] = bindings.map((resource, i) => ({
      binding: slots[i].binding,
      resource,
    }));
    if (uniformNames.length > 0) {
      const data = new DataView(new ArrayBuffer(Math.ceil((uniformNames.length * 4) / 16) * 16));
      uniformNames.forEach((n, i) => {
        const type = this.kernel.uniforms[n];
        if (type === 'f32') data.setFloat32(i * 4, values[i], true);
        else if (type === 'i32') data.setInt32(i * 4, values[i], true);
        else data.setUint32(i * 4, values[i], true);
      });
      const uniformBuffer = device.createBuffer({
        label: `${this.kernel.name} params`,
        size: data.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(uniformBuffer, 0, data);
      ownUniforms = uniformBuffer;
      entries.push({
        binding: this.slots[this.slots.length - 1].binding,
        resource: { buffer: uniformBuffer },
      });
    }
    const bindGroup = device.createBindGroup({
      label: this.kernel.name,
      layout: this.layout,
      entries,
    });
    const workgroups = this.kernel.dispatch(spec.work, this.ctx.limits);
    const pipeline = this.pipeline;
    const label = this.kernel.name;
    const launch: KernelLaunch = {
      bindGroup,
      uniformBuffer: ownUniforms,
      workgroups,
      record(target, pass) {
        const isEncoder = 'beginComputePass' in target;
        const p = isEncoder ? target.beginComputePass(pass ?? { label }) : target;
        p.setPipeline(pipeline);
        p.setBindGroup(0, bindGroup);
        p.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
        if (isEncoder) p.end();
      },
    };
    if (this.launches.size >= MAX_CACHED_LAUNCHES) this.evictOldest();
    this.launches.set(cacheKey, launch);
    return launch;
  }

  /** Drops every cached launch and frees their uniform buffers (see releaseLaunches). */
  releaseLaunches(): void {
    for (const launch of this.launches.values()) launch.uniformBuffer?.destroy();
    this.launches.clear();
  }

  /** Drops the least recently used launch and frees its uniform buffer. Work already submitted
   * with it completes (destruction waits for it); a step records far fewer than
   * MAX_CACHED_LAUNCHES launches, so an evicted launch is never one still waiting to be submitted. */
  private evictOldest(): void {
    const first = this.launches.entries().next();
    if (first.done) return;
    const [key, launch] = first.value;
    this.launches.delete(key);
    launch.uniformBuffer?.destroy();
  }

  private bindingFor(slot: string, value: Bindable | undefined): GPUBufferBinding {
    if (!value)
      throw new Error(`Kernel "${this.key}" needs a buffer for binding "${slot}"; none was given.`);
    if (!('buffer' in value)) return { buffer: value };
    const expected = this.variant.formats[slot];
    const storage = (value as Partial<Tensor>).storage;
    if (storage !== undefined && expected !== undefined && storage !== expected) {
      throw new Error(
        `Kernel "${this.key}" was compiled for ${expected} in "${slot}" but got tensor "${(value as Tensor).label}" stored as ${storage}: compile the variant for ${storage}.`,
      );
    }
    if (value.byteOffset !== undefined) {
      return { buffer: value.buffer, offset: value.byteOffset, size: value.byteLength };
    }
    return { buffer: value.buffer };
  }
}

/** Records one dispatch of `kernel` into `target` (an encoder: its own pass; or an open pass). */
export function runKernel(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  spec: LaunchSpec,
): KernelLaunch {
  const launch = kernel.launch(spec);
  launch.record(target);
  return launch;
}
