/**
 * Timing of recorded GPU work: R repetitions in one submit, measured with timestamp queries when
 * the device has 'timestamp-query' (GPU time of the pass), else wall time from submit to
 * onSubmittedWorkDone (which includes the submit, about 60 µs on SwiftShader).
 */
import type { GpuContext } from '../../device';

export type TimingMethod = 'timestamp' | 'wall';

export interface Timing {
  /** Milliseconds for all repetitions. */
  ms: number;
  method: TimingMethod;
}

/**
 * Runs `record(pass)` `repeats` times inside one compute pass and one submit and times it.
 * `record` must record dispatches only into the pass it is given.
 */
export async function timeRecorded(
  ctx: GpuContext,
  record: (pass: GPUComputePassEncoder) => void,
  repeats: number,
  method: TimingMethod = ctx.features.has('timestamp-query') ? 'timestamp' : 'wall',
): Promise<Timing> {
  const { device } = ctx;
  if (method === 'timestamp') {
    const querySet = device.createQuerySet({ label: 'timing', type: 'timestamp', count: 2 });
    const resolve = device.createBuffer({
      label: 'timing resolve',
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const readBack = device.createBuffer({
      label: 'timing read-back',
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      const encoder = device.createCommandEncoder({ label: 'timing' });
      const pass = encoder.beginComputePass({
        label: 'timed pass',
        timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
      });
      for (let r = 0; r < repeats; r++) record(pass);
      pass.end();
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readBack, 0, 16);
      device.queue.submit([encoder.finish()]);
      await readBack.mapAsync(GPUMapMode.READ);
      const [t0, t1] = new BigUint64Array(readBack.getMappedRange());
      const ms = Number(t1 - t0) / 1e6;
      readBack.unmap();
      // Some adapters quantize or zero timestamps; wall time is then the honest measure.
      if (ms > 0) return { ms, method };
    } finally {
      querySet.destroy();
      resolve.destroy();
      readBack.destroy();
    }
  }
  const encoder = device.createCommandEncoder({ label: 'timing' });
  const pass = encoder.beginComputePass({ label: 'timed pass' });
  for (let r = 0; r < repeats; r++) record(pass);
  pass.end();
  const commands = encoder.finish();
  const t0 = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return { ms: performance.now() - t0, method: 'wall' };
}
