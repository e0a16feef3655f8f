/**
 * Softmax cross-entropy kernels against src/model/reference/crossEntropy.ts: the mean loss is
 * written on the GPU into a slot of an f32 buffer, and the backward reads its loss scale from a
 * slot of another f32 buffer (as a GPU-side GradScaler would hold it).
 */
import type { FormatName } from '../../../numerics';
import {
  compileCrossEntropy,
  recordCrossEntropyBackward,
  recordCrossEntropyForward,
} from '../../../gpu/kernels/transformer';
import { crossEntropyBackward, crossEntropyForward } from '../../reference';
import {
  EPS32,
  compare,
  countingPolicy,
  eventsMatch,
  f32,
  ids,
  inexact,
  input,
  outcome,
  output,
  paddingIsZero,
  readValues,
  runCounted,
  runOnGpu,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';

export interface CrossEntropyCase {
  N: number;
  V: number;
  /** Upstream gradient of the mean loss: 1, or a loss scale. */
  dloss: number;
  /** Slot of the loss buffer written and of the scale buffer read. */
  slot: number;
}

const TOLERANCE =
  'probs, losses, loss are f32 results of WGSL exp, log and division, which are not correctly ' +
  'rounded: 16 ulp (1.9e-6 relative); a loss is lse - logit, which cancels, so it may also carry ' +
  '16 f32 ulps of lse (allowance), and the mean 16 ulps of the largest loss; dlogits (from the ' +
  "reference's probs) 1 ulp of the storage (16 ulp fp32), a rounding that may flip at a tie.";

export async function checkCrossEntropy(
  h: Harness,
  format: FormatName,
  rng: Rng,
  c: CrossEntropyCase,
): Promise<Outcome> {
  const { N, V, dloss, slot } = c;
  const logits = stored(format, rng.normals(N * V, 2));
  const targets = Int32Array.from({ length: N }, () => rng.int(V));
  const fwd = countingPolicy(format);
  const wantLosses = fwd.p.alloc(N);
  const wantProbs = fwd.p.alloc(N * V);
  const wantLoss = crossEntropyForward(fwd.p, wantLosses, wantProbs, logits, targets, N, V);
  const bwd = countingPolicy(format);
  const wantDlogits = bwd.p.alloc(N * V);
  crossEntropyBackward(bwd.p, wantDlogits, wantProbs, targets, Math.fround(dloss), N, V);

  const k = await compileCrossEntropy(h.env.ctx, h.env.cache, { storage: format });
  const gTargets = ids(h, targets, 'targets');
  const forward = {
    probs: f32(h, N * V, 'probs'),
    losses: f32(h, N, 'losses'),
    loss: f32(h, slot + 2, 'loss ring'),
    logits: input(h, format, [N, V], logits, 'logits'),
    targets: gTargets,
  };
  const msForward = await runOnGpu(h, (enc) => recordCrossEntropyForward(enc, k, forward, c, slot));
  const scales = new Float32Array(slot + 1).fill(-7);
  scales[slot] = dloss;
  const backward = {
    dlogits: output(h, format, [N, V], 'dlogits'),
    probs: f32(h, N * V, 'ref probs', wantProbs),
    targets: gTargets,
    dloss: f32(h, slot + 1, 'loss scale', scales),
  };
  const counting = { counters: h.counters, group: 0 };
  const back = await runCounted(h, (enc) =>
    recordCrossEntropyBackward(enc, k, backward, c, counting, slot),
  );
  const ring = await readValues(h, forward.loss);
  const maxLoss = Math.max(...Array.from(wantLosses, Math.abs));
  const cmp = [
    compare('probs', 'fp32', await readValues(h, forward.probs), wantProbs, { ulps: 16 }),
    compare('losses', 'fp32', await readValues(h, forward.losses), wantLosses, {
      ulps: 16,
      allowance: Float64Array.from(
        wantLosses,
        (loss, n) => 16 * EPS32 * Math.abs(loss + logits[n * V + targets[n]]),
      ),
    }),
    compare('loss', 'fp32', [ring[slot]], Float64Array.of(wantLoss), {
      ulps: 16,
      floorFrac: wantLoss === 0 ? 0 : (2 ** -10 * maxLoss) / Math.abs(wantLoss),
    }),
    compare('dlogits', format, await readValues(h, backward.dlogits), wantDlogits, {
      ulps: format === 'fp32' ? 16 : 1,
    }),
  ];
  const othersUntouched = [...ring].every((x, i) => i === slot || Number.isNaN(x));
  return outcome(
    cmp,
    [
      { ok: othersUntouched, text: `only slot ${slot} of the loss buffer written` },
      { ok: await paddingIsZero(h, backward.dlogits), text: 'padding lanes zero' },
      eventsMatch('dlogits', back.act, bwd.events, inexact(cmp[3])),
    ],
    msForward + back.ms,
    rng.seed,
    `dloss ${dloss}; ${TOLERANCE}`,
  );
}
