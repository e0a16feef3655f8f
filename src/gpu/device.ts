/**
 * Device acquisition: one adapter, one device, the optional features the lab can use when the
 * adapter has them, and the adapter's largest limits for the ones that bound model size.
 * Loss of the device and GPU errors come back as values with a sentence for the person.
 */

/** Optional features requested only when the adapter offers them; the lab runs without any. */
export const OPTIONAL_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];

/** Limits raised to the adapter's maximum (defaults are 128 MiB bindings, 16 KiB workgroup memory). */
export const MAX_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
] as const;

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters (SwiftShader): timings then say little about real GPUs. */
  isFallbackAdapter: boolean;
  /** Subgroup sizes the adapter may use (0 when it does not say). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
}

export interface DeviceLostInfo {
  /** 'destroyed' when the lab released the device itself, 'unknown' otherwise (driver reset, OOM). */
  reason: GPUDeviceLostReason;
  message: string;
}

export interface GpuContext {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly info: AdapterDescription;
  /** Optional features actually enabled on the device. */
  readonly features: ReadonlySet<OptionalFeature>;
  readonly limits: GPUSupportedLimits;
  /** Resolves when the device is lost (never rejects). */
  readonly lost: Promise<DeviceLostInfo>;
  /** Calls `listener` when the device is lost; returns a function that unsubscribes. */
  onLost(listener: (info: DeviceLostInfo) => void): () => void;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Leave these optional features off even when present (to test fallbacks). */
  disableFeatures?: readonly OptionalFeature[];
  onLost?: (info: DeviceLostInfo) => void;
  label?: string;
}

/** Why the lab could not get a GPU device; `message` says what to do. */
export class GpuUnavailableError extends Error {
  constructor(
    readonly reason: 'no-webgpu' | 'insecure-context' | 'no-adapter' | 'device-request-failed',
    message: string,
  ) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

const HOW_TO_GET_WEBGPU =
  'Open Precision Lab in Chrome 113 or newer (on Linux also enable chrome://flags/#enable-unsafe-webgpu), ' +
  'served over https or from localhost.';

/** Requests an adapter and a device with the optional features and maximum limits. */
export async function acquireDevice(options: AcquireOptions = {}): Promise<GpuContext> {
  const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
  if (!gpu) {
    const insecure = typeof isSecureContext !== 'undefined' && !isSecureContext;
    throw insecure
      ? new GpuUnavailableError(
          'insecure-context',
          `WebGPU is only offered to secure pages and this one is not: load the lab over https or from localhost. ${HOW_TO_GET_WEBGPU}`,
        )
      : new GpuUnavailableError(
          'no-webgpu',
          `This browser has no WebGPU (navigator.gpu is missing). ${HOW_TO_GET_WEBGPU}`,
        );
  }
  const adapter = await gpu.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  if (!adapter) {
    throw new GpuUnavailableError(
      'no-adapter',
      `WebGPU is present but offered no GPU adapter (the GPU may be blocklisted or disabled). ${HOW_TO_GET_WEBGPU} Check chrome://gpu for the reason.`,
    );
  }

  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter(
    (f) => adapter.features.has(f) && !disabled.has(f),
  );
  const requiredLimits: Record<string, number> = {};
  for (const name of MAX_LIMITS) requiredLimits[name] = adapter.limits[name];

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: options.label ?? 'precision-lab',
      requiredFeatures: requiredFeatures as GPUFeatureName[],
      requiredLimits,
    });
  } catch (err) {
    throw new GpuUnavailableError(
      'device-request-failed',
      `The GPU adapter refused to create a device (${(err as Error).message}). Close other GPU-heavy tabs and reload the page.`,
    );
  }

  const listeners = new Set<(info: DeviceLostInfo) => void>();
  if (options.onLost) listeners.add(options.onLost);
  const lost = device.lost.then((l) => {
    const info: DeviceLostInfo = { reason: l.reason, message: l.message };
    for (const listener of listeners) listener(info);
    return info;
  });

  const ai = adapter.info as GPUAdapterInfo & {
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
  };
  return {
    adapter,
    device,
    info: {
      vendor: ai.vendor,
      architecture: ai.architecture,
      description: ai.description,
      isFallbackAdapter: Boolean((ai as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      subgroupMinSize: ai.subgroupMinSize ?? 0,
      subgroupMaxSize: ai.subgroupMaxSize ?? 0,
    },
    features: new Set(requiredFeatures),
    limits: device.limits,
    lost,
    onLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A GPU validation or out-of-memory error, naming the kernel or operation that caused it. */
export class GpuOperationError extends Error {
  constructor(
    readonly label: string,
    readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'compilation',
    readonly gpuMessage: string,
  ) {
    super(
      kind === 'out-of-memory'
        ? `The GPU ran out of memory in "${label}": ${gpuMessage} Use a smaller model or batch, or fewer lanes.`
        : `The GPU rejected "${label}" (${kind} error): ${gpuMessage}`,
    );
    this.name = 'GpuOperationError';
  }
}

/**
 * Runs `fn` inside validation and out-of-memory error scopes and throws a GpuOperationError naming
 * `label` when either caught something. `fn`'s own result (or rejection) passes through.
 */
export async function withErrorScope<T>(
  device: GPUDevice,
  label: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Scopes pop in reverse order; both must pop even when fn threw. fn's own GpuOperationError
  // (e.g. compilation messages with lines) is the most specific; otherwise a scope's error
  // explains more than fn's failure.
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (!outcome.ok && outcome.error instanceof GpuOperationError) throw outcome.error;
  if (validation) throw new GpuOperationError(label, 'validation', validation.message);
  if (oom) throw new GpuOperationError(label, 'out-of-memory', oom.message);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
