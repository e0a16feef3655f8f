/**
 * What the browser's WebGPU adapter is and can do, read without creating a device. Used by the
 * Device page and by anything that must explain why the GPU path is unavailable.
 */

/** Optional features the lab cares about, in the order the Device page lists them. */
export const FEATURES_OF_INTEREST = ['shader-f16', 'timestamp-query', 'subgroups'] as const;
export type FeatureOfInterest = (typeof FEATURES_OF_INTEREST)[number];

/** Adapter limits that bound the lab's buffers and kernels. */
export const KEY_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
] as const;
export type KeyLimit = (typeof KEY_LIMITS)[number];

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter says it is a fallback (info.isFallbackAdapter, or the older adapter.isFallbackAdapter). */
  isFallbackAdapter: boolean;
  /** Fallback flag set, or vendor/architecture/description names a CPU rasteriser. */
  isSoftware: boolean;
  /** Name of the software implementation when one is recognised ('SwiftShader', 'llvmpipe', ...). */
  softwareName: string | null;
  featuresOfInterest: Record<FeatureOfInterest, boolean>;
  /** Every feature the adapter reports, sorted. */
  features: string[];
  limits: Record<KeyLimit, number>;
  /** Subgroup sizes when the browser reports them (info, or the older limits names). */
  subgroupMinSize: number | null;
  subgroupMaxSize: number | null;
}

export type UnavailableReason = 'insecure-context' | 'no-webgpu' | 'no-adapter' | 'request-failed';

export type ProbeResult =
  | { available: true; adapter: AdapterReport }
  | { available: false; reason: UnavailableReason; message: string };

/** Names a CPU implementation may report, matched case-insensitively; first hit is shown. */
const SOFTWARE_NAMES: readonly [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/microsoft basic render|\bwarp\b/i, 'WARP'],
  [/software/i, 'software renderer'],
];

/** The parts of the environment the probe reads; tests pass their own. */
export interface ProbeEnvironment {
  gpu: GPU | undefined;
  isSecureContext: boolean;
}

function defaultEnvironment(): ProbeEnvironment {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  return { gpu: nav?.gpu, isSecureContext: globalThis.isSecureContext !== false };
}

export async function probeWebGPU(
  env: ProbeEnvironment = defaultEnvironment(),
): Promise<ProbeResult> {
  if (!env.gpu) {
    if (!env.isSecureContext) {
      return {
        available: false,
        reason: 'insecure-context',
        message:
          'WebGPU is only offered to secure pages, and this page is not one. Open the lab over https:// or at http://localhost, not at a plain http:// network address.',
      };
    }
    return {
      available: false,
      reason: 'no-webgpu',
      message:
        'This browser has no WebGPU (navigator.gpu is missing). Use Chrome or Edge 113 or newer; on Linux also enable chrome://flags/#enable-unsafe-webgpu and chrome://flags/#enable-vulkan (or start Chrome with --enable-unsafe-webgpu --enable-features=Vulkan).',
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await env.gpu.requestAdapter();
  } catch (err) {
    return {
      available: false,
      reason: 'request-failed',
      message: `navigator.gpu.requestAdapter() failed: ${(err as Error)?.message ?? String(err)}. Check chrome://gpu for the reason WebGPU is disabled.`,
    };
  }
  if (!adapter) {
    return {
      available: false,
      reason: 'no-adapter',
      message:
        'WebGPU exists but the browser gave no adapter (requestAdapter() returned null): the GPU may be blocklisted or its driver too old. Check chrome://gpu; on Linux enable chrome://flags/#enable-unsafe-webgpu and chrome://flags/#enable-vulkan, then restart the browser.',
    };
  }
  return { available: true, adapter: describeAdapter(adapter) };
}

/** Older Chromium put the fallback flag and subgroup sizes on the adapter and its limits. */
interface LegacyAdapterFields {
  isFallbackAdapter?: boolean;
  limits: GPUSupportedLimits & { minSubgroupSize?: number; maxSubgroupSize?: number };
}

export function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const legacy = adapter as unknown as LegacyAdapterFields;
  const isFallbackAdapter = Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false);
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const named = SOFTWARE_NAMES.find(([re]) => re.test(text));
  const softwareName = named ? named[1] : isFallbackAdapter ? 'fallback adapter' : null;
  const features = [...adapter.features].sort();
  const featuresOfInterest = Object.fromEntries(
    FEATURES_OF_INTEREST.map((f) => [f, adapter.features.has(f)]),
  ) as Record<FeatureOfInterest, boolean>;
  const limits = Object.fromEntries(KEY_LIMITS.map((k) => [k, adapter.limits[k]])) as Record<
    KeyLimit,
    number
  >;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter,
    isSoftware: isFallbackAdapter || named !== undefined,
    softwareName,
    featuresOfInterest,
    features,
    limits,
    subgroupMinSize: info.subgroupMinSize ?? legacy.limits.minSubgroupSize ?? null,
    subgroupMaxSize: info.subgroupMaxSize ?? legacy.limits.maxSubgroupSize ?? null,
  };
}
