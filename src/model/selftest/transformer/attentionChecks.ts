/**
 * Attention kernels against src/model/reference/attention.ts. The backward is fed the
 * reference's att, so each direction is checked on its own.
 */
import type { FormatName } from '../../../numerics';
import {
  attentionScratchLength,
  compileAttention,
  recordAttentionBackward,
  recordAttentionForward,
} from '../../../gpu/kernels/transformer';
import { attentionBackward, attentionForward } from '../../reference';
import {
  compare,
  countingPolicy,
  eventsMatch,
  f32,
  identicalWords,
  inexact,
  input,
  outcome,
  output,
  paddingIsZero,
  readValues,
  readWords,
  runCounted,
  runOnGpu,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';
import { dpreattAllowance, dqkvAllowance, outAllowance } from './attentionAllowance';

export interface AttentionCase {
  B: number;
  T: number;
  C: number;
  H: number;
}

const TOLERANCE =
  'sums of products in the reference order (exact when the GPU rounds each f32 op as the ' +
  'reference does) are allowed 16 ulp (fp32) / 1 ulp (16-bit, a rounding that flips at a tie) at ' +
  'max(|x|, 2^-10 max|x|) since their terms cancel; att comes from WGSL exp and division, not ' +
  'correctly rounded: 16 ulp / 1 ulp; out, dpreatt and dqkv also get the allowance of what the ' +
  "GPU's own att / datt / dpreatt differences bring in (sum of |difference| * |factor|).";

export async function checkAttention(
  h: Harness,
  format: FormatName,
  rng: Rng,
  c: AttentionCase,
): Promise<Outcome> {
  const { B, T, C, H } = c;
  const NT = B * T;
  const BHTT = B * H * T * T;
  const qkv = stored(format, rng.normals(NT * 3 * C));
  const dout = stored(format, rng.normals(NT * C));
  const fwd = countingPolicy(format);
  const wantOut = fwd.p.alloc(NT * C);
  const wantPreatt = fwd.p.alloc(BHTT);
  const wantAtt = fwd.p.alloc(BHTT);
  attentionForward(fwd.p, wantOut, wantPreatt, wantAtt, qkv, B, T, C, H);
  const bwd = countingPolicy(format);
  const wantDqkv = bwd.p.alloc(NT * 3 * C);
  const wantDpreatt = bwd.p.alloc(BHTT);
  const wantDatt = bwd.p.alloc(BHTT);
  attentionBackward(bwd.p, wantDqkv, wantDpreatt, wantDatt, dout, qkv, wantAtt, B, T, C, H);

  const k = await compileAttention(h.env.ctx, h.env.cache, { storage: format });
  const gQkv = input(h, format, [B, T, 3 * C], qkv, 'qkv');
  const scratch = f32(h, attentionScratchLength(c), 'scratch');
  const forward = {
    out: output(h, format, [B, T, C], 'out'),
    preatt: output(h, format, [B, H, T, T], 'preatt'),
    att: output(h, format, [B, H, T, T], 'att'),
    qkv: gQkv,
    scratch,
  };
  const counting = { counters: h.counters, group: 0 };
  const ran = await runCounted(h, (enc) => recordAttentionForward(enc, k, forward, c, counting));

  const backward = {
    dqkv: output(h, format, [B, T, 3 * C], 'dqkv'),
    dpreatt: output(h, format, [B, H, T, T], 'dpreatt'),
    datt: output(h, format, [B, H, T, T], 'datt'),
    dout: input(h, format, [B, T, C], dout, 'dout'),
    qkv: gQkv,
    att: input(h, format, [B, H, T, T], wantAtt, 'ref att'),
    scratch,
  };
  const back = await runCounted(h, (enc) => recordAttentionBackward(enc, k, backward, c, counting));
  const dqkvWords = await readWords(h, backward.dqkv);

  const ulps = format === 'fp32' ? 16 : 1;
  const sums = { ulps, floorFrac: 2 ** -10 };
  const att = await readValues(h, forward.att);
  const datt = await readValues(h, backward.datt);
  const dpreatt = await readValues(h, backward.dpreatt);
  const cmp = [
    compare('preatt', format, await readValues(h, forward.preatt), wantPreatt, sums),
    compare('att', format, att, wantAtt, { ulps }),
    compare('out', format, await readValues(h, forward.out), wantOut, {
      ...sums,
      allowance: outAllowance(c, att, wantAtt, qkv),
    }),
    compare('datt', format, datt, wantDatt, sums),
    compare('dpreatt', format, dpreatt, wantDpreatt, {
      ...sums,
      allowance: dpreattAllowance(c, datt, wantDatt, wantAtt),
    }),
    compare('dqkv', format, await readValues(h, backward.dqkv), wantDqkv, {
      ...sums,
      allowance: dqkvAllowance(c, dpreatt, wantDpreatt, qkv),
    }),
  ];
  const fwdInexact = inexact(cmp[0]) + inexact(cmp[1]) + inexact(cmp[2]);
  const bwdInexact = inexact(cmp[3]) + inexact(cmp[4]) + inexact(cmp[5]);
  // Determinism: the backward again over re-poisoned outputs gives the same words.
  backward.dqkv = output(h, format, [B, T, 3 * C], 'dqkv again');
  await runOnGpu(h, (enc) => recordAttentionBackward(enc, k, backward, c, counting));
  const padded = await Promise.all(
    [forward.out, forward.preatt, forward.att, backward.dqkv].map((t) => paddingIsZero(h, t)),
  );
  return outcome(
    cmp,
    [
      { ok: padded.every(Boolean), text: 'padding lanes zero' },
      eventsMatch('forward', ran.act, fwd.events, fwdInexact),
      eventsMatch('backward', back.act, bwd.events, bwdInexact),
      {
        ok: await identicalWords(h, backward.dqkv, dqkvWords),
        text: 'dqkv repeated bit-identical',
      },
    ],
    ran.ms + back.ms,
    rng.seed,
    TOLERANCE,
  );
}
