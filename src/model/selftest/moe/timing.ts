/**
 * Timings of each MoE kernel at the default model's layer size (N = B*T = 32*64 = 2048 tokens,
 * C = 128, E = 8, k = 2) on the fp16-amp recipe (fp16 activations, f32 router): each op recorded
 * REPS times into one encoder, one submit, wall time to queue idle / REPS. Informational: on
 * SwiftShader (software) these say little about a real GPU, but they show where time goes.
 */
import type { MoeCase } from './cases';
import { moeInputs } from './cases';
import { prepareMoe, type GpuEnv } from './gpu';
import type { Outcome } from './checks';

const REPS = 5;

export async function measureTimings(env: GpuEnv, seed: number): Promise<Outcome> {
  const { device } = env.ctx;
  const c: MoeCase = {
    label: 'timing',
    main: 'fp16',
    router: 'fp32',
    N: 2048,
    C: 128,
    E: 8,
    k: 2,
    mode: 'mixed',
    dloss: 1024,
    alpha: 0.01,
    beta: 0.001,
  };
  const m = await prepareMoe(env, c, moeInputs(c, seed));
  const submit = async (record: (enc: GPUCommandEncoder) => void): Promise<number> => {
    const enc = device.createCommandEncoder({ label: 'moe timing' });
    record(enc);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  try {
    const step = (enc: GPUCommandEncoder) => {
      m.counters.clear(enc);
      for (const [, record] of m.ops) record(enc);
    };
    await submit(step); // warm: pipelines, bind groups, valid routing in every buffer
    const whole = await submit(step);
    const perOp: Record<string, number> = {};
    for (const [name, record] of m.ops) {
      if (name === 'clear dprobs') continue;
      const ms = await submit((enc) => {
        for (let r = 0; r < REPS; r++) record(enc);
      });
      perOp[name] = Math.round((ms / REPS) * 100) / 100;
    }
    const list = Object.entries(perOp).map(([n, ms]) => `${n} ${ms} ms`);
    return {
      pass: true,
      detail:
        `N=${c.N} C=${c.C} E=${c.E} k=${c.k}, fp16 activations, f32 router, ${REPS} launches per op: ` +
        `${list.join(', ')}; whole layer (forward + backward, one submit) ${whole.toFixed(1)} ms`,
      data: { perOpMs: perOp, wholeLayerMs: whole },
    };
  } finally {
    m.release();
  }
}
