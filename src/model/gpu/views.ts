/**
 * Named views into one flat GPU buffer (llm.c's single parameter allocation) for kernels that bind
 * whole tensors. A TensorView is a Tensor whose elements start `byteOffset` bytes into its buffer;
 * the kernels index from their binding's start, so the view is bound with that offset and size.
 *
 * WebGPU binds storage buffers at offsets that are multiples of minStorageBufferOffsetAlignment
 * (256 bytes by default), so flat layouts align every tensor to VIEW_ALIGN elements (layout.ts):
 * 512 bytes of f32 and 256 bytes of 16-bit values, the same element offsets in either format.
 *
 * The engine's CompiledKernel binds whole buffers; ViewKernel (a subclass, so every record wrapper
 * takes it as is) binds a view's range instead. withViews() turns a family's compiled kernels
 * into ViewKernels once and memoises them, so their launch caches live for the model's life.
 */
import { CompiledKernel, type KernelLaunch, type LaunchSpec, type Tensor } from '../../gpu';

/** Elements every view starts at a multiple of (see the header). */
export const VIEW_ALIGN = 128;

export interface TensorView extends Tensor {
  /** Bytes from the buffer's start to element 0 (a multiple of the offset alignment). */
  readonly byteOffset: number;
}

export function isView(x: unknown): x is TensorView {
  return typeof x === 'object' && x !== null && 'byteOffset' in x && 'buffer' in x;
}

const MAX_VIEW_LAUNCHES = 4096;

/** A compiled kernel whose bindings may be views of a larger buffer. */
export class ViewKernel extends CompiledKernel {
  private readonly viewLaunches = new Map<string, KernelLaunch>();

  override launch(spec: LaunchSpec): KernelLaunch {
    const slots = this.slots.filter((s) => s.kind !== 'uniform');
    if (!slots.some((s) => isView(spec.buffers[s.name]))) return super.launch(spec);
    const uniformNames = Object.keys(this.kernel.uniforms);
    const values = uniformNames.map((n) => {
      const v = spec.uniforms?.[n];
      if (v === undefined)
        throw new Error(`Kernel "${this.key}" needs the uniform "${n}"; give uniforms.${n}.`);
      return v;
    });
    const entries: GPUBindGroupEntry[] = slots.map((s) => ({
      binding: s.binding,
      resource: this.bindingFor(s.name, spec.buffers[s.name]),
    }));
    const key = `${entries.map((e) => resourceKey(e.resource as GPUBufferBinding)).join(',')}|${values.join(',')}|${spec.work.join(',')}`;
    const cached = this.viewLaunches.get(key);
    if (cached) {
      this.viewLaunches.delete(key);
      this.viewLaunches.set(key, cached);
      return cached;
    }
    const device = this.ctx.device;
    let uniformBuffer: GPUBuffer | null = null;
    if (uniformNames.length > 0) {
      const data = new DataView(new ArrayBuffer(Math.ceil((uniformNames.length * 4) / 16) * 16));
      uniformNames.forEach((n, i) => {
        const type = this.kernel.uniforms[n];
        if (type === 'f32') data.setFloat32(i * 4, values[i], true);
        else if (type === 'i32') data.setInt32(i * 4, values[i], true);
        else data.setUint32(i * 4, values[i], true);
      });
      uniformBuffer = device.createBuffer({
        label: `${this.kernel.name} params`,
        size: data.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(uniformBuffer, 0, data);
      entries.push({
        binding: this.slots[this.slots.length - 1].binding,
        resource: { buffer: uniformBuffer },
      });
    }
    const bindGroup = device.createBindGroup({ label: this.kernel.name, layout: this.layout, entries });
    const workgroups = this.kernel.dispatch(spec.work, this.ctx.limits);
    const { pipeline } = this;
    const label = this.kernel.name;
    const launch: KernelLaunch = {
      bindGroup,
      uniformBuffer,
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
    if (this.viewLaunches.size >= MAX_VIEW_LAUNCHES) {
      const first = this.viewLaunches.entries().next();
      if (!first.done) {
        this.viewLaunches.delete(first.value[0]);
        first.value[1].uniformBuffer?.destroy();
      }
    }
    this.viewLaunches.set(key, launch);
    return launch;
  }

  override releaseLaunches(): void {
    for (const launch of this.viewLaunches.values()) launch.uniformBuffer?.destroy();
    this.viewLaunches.clear();
    super.releaseLaunches();
  }

  private bindingFor(slot: string, value: LaunchSpec['buffers'][string] | undefined): GPUBufferBinding {
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
    if (isView(value)) {
      return { buffer: value.buffer, offset: value.byteOffset, size: value.byteLength };
    }
    return { buffer: value.buffer };
  }
}

const ids = new WeakMap<GPUBuffer, number>();
let nextId = 1;
function resourceKey(r: GPUBufferBinding): string {
  let id = ids.get(r.buffer);
  if (id === undefined) ids.set(r.buffer, (id = nextId++));
  return r.offset === undefined ? `${id}` : `${id}@${r.offset}+${r.size}`;
}

const wrapped = new WeakMap<CompiledKernel, ViewKernel>();

/** The ViewKernel of a compiled kernel (one per kernel, memoised). */
export function viewKernel(k: CompiledKernel): ViewKernel {
  if (k instanceof ViewKernel) return k;
  let v = wrapped.get(k);
  if (!v) {
    const view = new ViewKernel(k.ctx, k.kernel, k.variant, k.key, k.pipeline, k.layout, k.slots);
    k.alsoRelease(() => view.releaseLaunches());
    wrapped.set(k, (v = view));
  }
  return v;
}

/** A family's kernel set with every CompiledKernel field turned into its ViewKernel. */
export function withViews<T extends object>(kernels: T): T {
  const out = { ...kernels } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) {
    if (v instanceof CompiledKernel) out[k] = viewKernel(v);
  }
  return out as T;
}

/** A view of `size` elements of `flat` starting at element `offset` (a multiple of VIEW_ALIGN). */
export function viewOf(
  flat: Tensor,
  offset: number,
  size: number,
  shape: readonly number[],
  label: string,
): TensorView {
  if (offset % VIEW_ALIGN !== 0) {
    throw new Error(
      `View "${label}" of "${flat.label}" starts at element ${offset}, not a multiple of ${VIEW_ALIGN}: the flat layout must align every tensor.`,
    );
  }
  const lanes = 32 / bitsOf(flat.storage);
  const byteOffset = (offset / lanes) * 4;
  const byteLength = Math.max(1, Math.ceil(size / lanes)) * 4;
  if (byteOffset + byteLength > flat.byteLength) {
    throw new Error(
      `View "${label}" (elements ${offset} .. ${offset + size - 1}) runs past "${flat.label}" (${flat.size} elements).`,
    );
  }
  return {
    shape: [...shape],
    size,
    storage: flat.storage,
    buffer: flat.buffer,
    byteLength,
    byteOffset,
    label,
    category: flat.category,
  };
}

function bitsOf(storage: Tensor['storage']): number {
  return storage === 'fp32' ? 32 : storage === 'fp16' || storage === 'bf16' ? 16 : 8;
}
