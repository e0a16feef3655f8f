/**
 * Compute pipelines compiled once per shader key (kernel name + variant + formats) and labelled
 * with the kernel's name, so a WGSL compile or validation error names the kernel and quotes the
 * compiler's messages with their lines.
 */
import { GpuOperationError, withErrorScope } from './device';

export interface PipelineSource {
  /** Kernel name: the label of the module, layout and pipeline. */
  label: string;
  code: string;
  bindGroupLayouts: GPUBindGroupLayout[];
  entryPoint?: string;
  /** Lines of generated text before the kernel's own body, so messages can cite body lines. */
  bodyLineOffset?: number;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(readonly device: GPUDevice) {}

  /** The pipeline for `key`, compiled on first request; concurrent requests share one compile.
   * A failed compile is not cached, so a fixed shader can be tried again. */
  get(key: string, source: () => PipelineSource): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = compilePipeline(this.device, source());
      this.pipelines.set(key, pipeline);
      pipeline.catch(() => this.pipelines.delete(key));
    }
    return pipeline;
  }

  has(key: string): boolean {
    return this.pipelines.has(key);
  }

  get size(): number {
    return this.pipelines.size;
  }
}

/** Compiles inside an error scope; throws GpuOperationError naming the kernel on any failure. */
export async function compilePipeline(
  device: GPUDevice,
  source: PipelineSource,
): Promise<GPUComputePipeline> {
  const { label, code } = source;
  return withErrorScope(device, label, async () => {
    const module = device.createShaderModule({ label, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new GpuOperationError(
        label,
        'compilation',
        formatCompilationMessages(errors, code, source.bodyLineOffset),
      );
    }
    const layout = device.createPipelineLayout({
      label,
      bindGroupLayouts: source.bindGroupLayouts,
    });
    try {
      return await device.createComputePipelineAsync({
        label,
        layout,
        compute: { module, entryPoint: source.entryPoint ?? 'main' },
      });
    } catch (err) {
      throw new GpuOperationError(label, 'validation', (err as Error).message);
    }
  });
}

/** "line 52:16 (body line 3): message\n    <source line>" for each message. */
export function formatCompilationMessages(
  messages: readonly GPUCompilationMessage[],
  code: string,
  bodyLineOffset?: number,
): string {
  const lines = code.split('\n');
  return messages
    .map((m) => {
      const bodyLine =
        bodyLineOffset !== undefined && m.lineNum > bodyLineOffset
          ? ` (body line ${m.lineNum - bodyLineOffset})`
          : '';
      return `line ${m.lineNum}:${m.linePos}${bodyLine}: ${m.message}\n    ${(lines[m.lineNum - 1] ?? '').trim()}`;
    })
    .join('\n');
}
