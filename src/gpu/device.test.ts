import { describe, expect, it } from 'vitest';
import { acquireDevice, GpuUnavailableError } from './device';

describe('acquireDevice without WebGPU', () => {
  it('says what to do in a sentence', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    try {
      const err = await acquireDevice().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GpuUnavailableError);
      expect((err as GpuUnavailableError).reason).toBe('no-webgpu');
      const message = (err as Error).message;
      expect(message).toMatch(/Chrome 113/);
      expect(message).toContain('chrome://flags/#enable-unsafe-webgpu');
      expect(message).toMatch(/https or from localhost/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('reports an adapter-less browser', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: { requestAdapter: async () => null } },
      configurable: true,
    });
    try {
      const err = await acquireDevice().catch((e: unknown) => e);
      expect((err as GpuUnavailableError).reason).toBe('no-adapter');
      expect((err as Error).message).toMatch(/chrome:\/\/gpu/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });
});
