/**
 * Timings of the transformer kernels at a model-like size: each op's forward and backward as one
 * submit, median of a few runs (submit to onSubmittedWorkDone, so it includes the ~0.1 ms
 * submit cost). Informational, except that every output must come back finite (outputs start
 * as NaN words, so a word left unwritten fails).
 */
import type { FormatName } from '../../../numerics';
import {
  attentionScratchLength,
  compileAttention,
  compileCrossEntropy,
  compileEncoder,
  compileGelu,
  compileLayerNorm,
  layerNormScratchLength,
  recordAttentionBackward,
  recordAttentionForward,
  recordCrossEntropyBackward,
  recordCrossEntropyForward,
  recordEncoderBackward,
  recordEncoderForward,
  recordGeluBackward,
  recordGeluForward,
  recordLayerNormBackward,
  recordLayerNormForward,
} from '../../../gpu/kernels/transformer';
import type { Tensor } from '../../../gpu';
import {
  f32,
  ids,
  input,
  output,
  readValues,
  runOnGpu,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';

export interface TimingSizes {
  B: number;
  T: number;
  C: number;
  H: number;
  V: number;
  /** GELU elements (N * k * F in the MoE). */
  geluN: number;
}

async function median(
  h: Harness,
  reps: number,
  rec: (e: GPUCommandEncoder) => void,
): Promise<number> {
  await runOnGpu(h, rec);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await runOnGpu(h, rec));
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

export async function timeKernels(
  h: Harness,
  format: FormatName,
  rng: Rng,
  s: TimingSizes,
  reps = 3,
): Promise<Outcome> {
  const { B, T, C, H, V, geluN } = s;
  const N = B * T;
  const { ctx, cache } = h.env;
  const v = { storage: format };
  const counting = { counters: h.counters, group: 0, paramGroup: 1 };
  const act = (shape: number[], label: string, std = 1): Tensor =>
    input(
      h,
      format,
      shape,
      stored(
        format,
        rng.normals(
          shape.reduce((a, b) => a * b),
          std,
        ),
      ),
      label,
    );
  const out = (shape: number[], label: string) => output(h, format, shape, label);
  const par = (n: number, label: string, mean = 0) =>
    input(
      h,
      'fp32',
      [n],
      Float32Array.from({ length: n }, () => mean + rng.normal(0.1)),
      label,
    );
  const times: Record<string, number> = {};
  const outputs: Tensor[] = [];

  const enc = await compileEncoder(ctx, cache, v);
  const tokens = ids(
    h,
    Int32Array.from({ length: N }, () => rng.int(V)),
    'tokens',
  );
  const wte = par(V * C, 'wte');
  const wpe = par(T * C, 'wpe');
  const x = out([N, C], 'encoded');
  const dx = act([N, C], 'dres');
  const dwte = output(h, 'fp32', [V, C], 'dwte');
  const dwpe = output(h, 'fp32', [T, C], 'dwpe');
  times['embedding fwd'] = await median(h, reps, (e) =>
    recordEncoderForward(e, enc, { out: x, tokens, wte, wpe }, { B, T, C }, counting),
  );
  times['embedding bwd'] = await median(h, reps, (e) =>
    recordEncoderBackward(e, enc, { dwte, dwpe, dout: dx, tokens }, { B, T, C }, counting),
  );
  outputs.push(x, dwte, dwpe);

  const ln = await compileLayerNorm(ctx, cache, v);
  const lnOut = out([N, C], 'ln');
  const mean = f32(h, N, 'mean');
  const rstd = f32(h, N, 'rstd');
  const [w, b] = [par(C, 'lnw', 1), par(C, 'lnb')];
  const dw = output(h, 'fp32', [C], 'dlnw');
  const db = output(h, 'fp32', [C], 'dlnb');
  const lnScratch = f32(h, layerNormScratchLength(N), 'ln scratch');
  times['layer norm fwd'] = await median(h, reps, (e) =>
    recordLayerNormForward(
      e,
      ln,
      { out: lnOut, mean, rstd, inp: x, weight: w, bias: b },
      { N, C },
      counting,
    ),
  );
  const dln = act([N, C], 'dln');
  times['layer norm bwd'] = await median(h, reps, (e) =>
    recordLayerNormBackward(
      e,
      ln,
      {
        dinp: dx,
        dweight: dw,
        dbias: db,
        dout: dln,
        inp: x,
        weight: w,
        mean,
        rstd,
        scratch: lnScratch,
      },
      { N, C },
      counting,
    ),
  );
  outputs.push(lnOut, dw, db);

  const attn = await compileAttention(ctx, cache, v);
  const qkv = act([N, 3 * C], 'qkv');
  const att = out([B, H, T, T], 'att');
  const preatt = out([B, H, T, T], 'preatt');
  const atty = out([N, C], 'atty');
  const aScratch = f32(h, attentionScratchLength({ B, T, C, H }), 'attention scratch');
  times['attention fwd'] = await median(h, reps, (e) =>
    recordAttentionForward(
      e,
      attn,
      { out: atty, preatt, att, qkv, scratch: aScratch },
      { B, T, C, H },
      counting,
    ),
  );
  const dqkv = out([N, 3 * C], 'dqkv');
  const [dpreatt, datt] = [out([B, H, T, T], 'dpreatt'), out([B, H, T, T], 'datt')];
  const datty = act([N, C], 'datty');
  times['attention bwd'] = await median(h, reps, (e) =>
    recordAttentionBackward(
      e,
      attn,
      { dqkv, dpreatt, datt, dout: datty, qkv, att, scratch: aScratch },
      { B, T, C, H },
      counting,
    ),
  );
  outputs.push(atty, att, dqkv);

  const gelu = await compileGelu(ctx, cache, v);
  const fc1 = act([geluN], 'fc1', 2);
  const g = out([geluN], 'gelu');
  const dfc1 = out([geluN], 'dfc1');
  times['gelu fwd'] = await median(h, reps, (e) =>
    recordGeluForward(e, gelu, { out: g, inp: fc1 }, counting),
  );
  const dgelu = act([geluN], 'dgelu');
  times['gelu bwd'] = await median(h, reps, (e) =>
    recordGeluBackward(e, gelu, { dinp: dfc1, inp: fc1, dout: dgelu }, counting),
  );
  outputs.push(g, dfc1);

  const ce = await compileCrossEntropy(ctx, cache, v);
  const logits = act([N, V], 'logits', 2);
  const probs = f32(h, N * V, 'probs');
  const losses = f32(h, N, 'losses');
  const loss = f32(h, 1, 'loss');
  const targets = ids(
    h,
    Int32Array.from({ length: N }, () => rng.int(V)),
    'targets',
  );
  const dlogits = out([N, V], 'dlogits');
  const dloss = f32(h, 1, 'dloss', [1]);
  times['cross-entropy fwd'] = await median(h, reps, (e) =>
    recordCrossEntropyForward(e, ce, { probs, losses, loss, logits, targets }, { N, V }),
  );
  times['cross-entropy bwd'] = await median(h, reps, (e) =>
    recordCrossEntropyBackward(e, ce, { dlogits, probs, targets, dloss }, { N, V }, counting),
  );
  outputs.push(probs, loss, dlogits);

  const unwritten: string[] = [];
  for (const t of outputs)
    if (!(await readValues(h, t)).every(Number.isFinite)) unwritten.push(t.label);
  const list = Object.entries(times)
    .map(([k, ms]) => `${k} ${ms.toFixed(2)}`)
    .join(', ');
  return {
    pass: unwritten.length === 0,
    detail:
      `B=${B} T=${T} C=${C} H=${H} V=${V} gelu n=${geluN}, ${format}, median of ${reps} submits (ms, ${ctx.info.isFallbackAdapter ? 'software adapter: not a GPU timing' : ctx.info.description || ctx.info.vendor}): ${list}` +
      (unwritten.length
        ? `; FAIL non-finite values left in ${unwritten.join(', ')}`
        : '; every output finite'),
    data: { times, sizes: s },
  };
}
