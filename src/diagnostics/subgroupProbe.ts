/**
 * Measures the subgroup sizes a compute kernel actually gets: every invocation writes its
 * @builtin(subgroup_size). The adapter reports only a range (e.g. Intel 8–32); the size a kernel
 * runs with is the driver's choice per pipeline.
 */
import { withErrorScope, type GpuContext } from '../gpu/device';
import { readBuffer } from '../gpu/tensor';

const WORKGROUP = 256;
const GROUPS = 4;

const PROBE_WGSL = `enable subgroups;
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_size) sg: u32) {
  out[gid.x] = sg;
}
`;

/** Distinct subgroup sizes seen by WORKGROUP * GROUPS invocations, ascending; [] without the feature. */
export async function measureSubgroupSizes(ctx: GpuContext): Promise<number[]> {
  if (!ctx.features.has('subgroups')) return [];
  const { device } = ctx;
  const n = WORKGROUP * GROUPS;
  const out = device.createBuffer({
    label: 'diagnostics subgroup size',
    size: n * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  try {
    await withErrorScope(device, 'diagnostics subgroup size probe', async () => {
      const module = device.createShaderModule({ label: 'subgroup size probe', code: PROBE_WGSL });
      const pipeline = await device.createComputePipelineAsync({
        label: 'subgroup size probe',
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: out } }],
      });
      const encoder = device.createCommandEncoder({ label: 'subgroup size probe' });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(GROUPS);
      pass.end();
      device.queue.submit([encoder.finish()]);
    });
    const sizes = await readBuffer(device, out, n * 4);
    return [...new Set(sizes)].sort((a, b) => a - b);
  } finally {
    out.destroy();
  }
}
