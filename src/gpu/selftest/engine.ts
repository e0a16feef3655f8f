/**
 * Browser self-tests of the engine plumbing: WGSL errors name their kernel, device loss reaches
 * the listener, the buffer pool reuses and counts, tensors round-trip through upload and
 * read-back, and launches are cached. Plain JSON results, as conversion.ts.
 */
import { FORMATS, encode, roundTo, random32, type FormatName } from '../../numerics';
import { acquireDevice, GpuOperationError } from '../device';
import { compileKernel, runKernel, type KernelDescriptor } from '../kernels/kernel';
import { compileCast } from '../kernels/convert';
import {
  BufferPool,
  createTensor,
  readTensor,
  readTensorBits,
  releaseTensor,
  writeTensor,
} from '../tensor';
import { check, type SelfTestResult } from './conversion';
import { createSelfTestEnv, releaseSelfTestEnv, type SelfTestEnv } from './gpuRuns';

const brokenKernel: KernelDescriptor = {
  name: 'selftest_broken_kernel',
  body: `@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  out[gid.x] = undefined_helper(gid.x);
}
`,
  bindings: [{ name: 'out', access: 'read_write', type: 'u32' }],
  uniforms: {},
  workgroupSize: [64, 1, 1],
  countsEvents: false,
  dispatch: () => [1, 1, 1],
};

async function testCompileErrorNamesKernel(env: SelfTestEnv) {
  try {
    await compileKernel(env.ctx, env.cache, brokenKernel);
    return {
      pass: false,
      detail: 'a kernel calling an undefined function compiled without an error',
    };
  } catch (err) {
    const message = (err as Error).message;
    const ok =
      err instanceof GpuOperationError &&
      message.includes(brokenKernel.name) &&
      /line \d+:\d+/.test(message) &&
      message.includes('undefined_helper');
    return { pass: ok, detail: `error: ${message.slice(0, 300)}` };
  }
}

async function testDeviceLost() {
  let heard: string | undefined;
  const ctx = await acquireDevice({
    label: 'self-test lost',
    onLost: (info) => (heard = info.reason),
  });
  ctx.device.destroy();
  const info = await ctx.lost;
  return {
    pass: info.reason === 'destroyed' && heard === 'destroyed',
    detail: `device.destroy() reported as lost with reason "${info.reason}", listener heard "${heard}"`,
  };
}

async function testPool(env: SelfTestEnv) {
  const pool = new BufferPool(env.ctx.device);
  try {
    const a = pool.acquire({ label: 'a', byteLength: 1000, category: 'weights' });
    pool.acquire({ label: 'b', byteLength: 6, category: 'activations' });
    pool.release(a);
    const c = pool.acquire({ label: 'c', byteLength: 1000, category: 'weights' });
    const bytes = pool.bytesByCategory();
    const weights = bytes.find((b) => b.category === 'weights');
    const activations = bytes.find((b) => b.category === 'activations');
    const t = createTensor(pool, {
      shape: [3, 5],
      storage: 'bf16',
      label: 'odd',
      category: 'weights',
    });
    const pass =
      c === a &&
      weights?.allocated === 1000 &&
      activations?.allocated === 8 &&
      t.byteLength === 32 &&
      pool.totalBytes === 1040;
    return {
      pass,
      detail: `released buffer reused: ${c === a}; bytes ${JSON.stringify(pool.bytesByCategory())}; bf16 [3, 5] takes ${t.byteLength} bytes (ceil(15 / 2) * 4 = 32)`,
    };
  } finally {
    pool.destroy();
  }
}

/** writeTensor (CPU encode) then readTensor (CPU decode) returns each value rounded once. */
async function testTensorRoundTrip(env: SelfTestEnv, storage: FormatName) {
  const n = 1001;
  const values = Array.from(
    { length: n },
    (_, i) => ((random32(7, i) / 2 ** 32) * 2 - 1) * 2 ** ((i % 40) - 20),
  );
  const t = createTensor(env.pool, {
    shape: [n],
    storage,
    label: `roundtrip ${storage}`,
    category: 'selftest',
  });
  try {
    writeTensor(env.ctx.device, t, values);
    const back = await readTensor(env.ctx.device, t);
    const bits = await readTensorBits(env.ctx.device, t);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (
        !Object.is(back[i], roundTo(storage, values[i])) ||
        bits[i] !== encode(FORMATS[storage], values[i])
      )
        bad++;
    }
    return {
      pass: bad === 0,
      detail: `${n} values through a ${storage} tensor (${t.byteLength} bytes): ${bad} not equal to numerics roundTo`,
    };
  } finally {
    releaseTensor(env.pool, t);
  }
}

async function testLaunchCache(env: SelfTestEnv) {
  const kernel = await compileCast(env.ctx, env.cache, 'fp32', 'fp16', 'off');
  const again = await compileCast(env.ctx, env.cache, 'fp32', 'fp16', 'off');
  const src = createTensor(env.pool, {
    shape: [10],
    storage: 'fp32',
    label: 'src',
    category: 'selftest',
  });
  const dst = createTensor(env.pool, {
    shape: [10],
    storage: 'fp16',
    label: 'dst',
    category: 'selftest',
  });
  try {
    const encoder = env.ctx.device.createCommandEncoder();
    const spec = { buffers: { src, dst }, uniforms: { n: 10, words: 5, group: 0 }, work: [5] };
    const l1 = runKernel(encoder, kernel, spec);
    const l2 = runKernel(encoder, kernel, { ...spec, buffers: { src, dst } });
    const l3 = runKernel(encoder, kernel, { ...spec, uniforms: { n: 9, words: 5, group: 0 } });
    env.ctx.device.queue.submit([encoder.finish()]);
    let wrongFormat = '';
    try {
      runKernel(env.ctx.device.createCommandEncoder(), kernel, {
        ...spec,
        buffers: { src: dst, dst },
      });
    } catch (err) {
      wrongFormat = (err as Error).message;
    }
    const pass = again === kernel && l1 === l2 && l1 !== l3 && wrongFormat.includes('fp16');
    return {
      pass,
      detail: `compiled once: ${again === kernel}; same arguments reuse the launch: ${l1 === l2}; new uniforms make a new one: ${l1 !== l3}; a tensor of the wrong format is refused: "${wrongFormat}"`,
    };
  } finally {
    releaseTensor(env.pool, src);
    releaseTensor(env.pool, dst);
  }
}

export async function runEngineSelfTests(): Promise<SelfTestResult[]> {
  let env: SelfTestEnv;
  try {
    env = await createSelfTestEnv({ randomCount: 0 });
  } catch (err) {
    return [
      { name: 'acquire a WebGPU device', pass: false, detail: (err as Error).message, ms: 0 },
    ];
  }
  try {
    return [
      await check('a WGSL error names the kernel', () => testCompileErrorNamesKernel(env)),
      await check('device loss reaches the listener', () => testDeviceLost()),
      await check('buffer pool reuses and counts bytes', () => testPool(env)),
      await check('fp32 tensor round trip', () => testTensorRoundTrip(env, 'fp32')),
      await check('fp16 tensor round trip', () => testTensorRoundTrip(env, 'fp16')),
      await check('bf16 tensor round trip', () => testTensorRoundTrip(env, 'bf16')),
      await check('fp8-e4m3 tensor round trip', () => testTensorRoundTrip(env, 'fp8-e4m3')),
      await check('pipelines and launches are cached', () => testLaunchCache(env)),
    ];
  } finally {
    releaseSelfTestEnv(env);
  }
}
