/**
 * Token + position embedding kernels against src/model/reference/embedding.ts.
 */
import type { FormatName } from '../../../numerics';
import type { EventCounting } from '../../../gpu';
import {
  compileEncoder,
  recordEncoderBackward,
  recordEncoderForward,
} from '../../../gpu/kernels/transformer';
import { encoderBackward, encoderForward } from '../../reference';
import {
  compare,
  countingPolicy,
  eventsMatch,
  identicalWords,
  ids,
  input,
  noEvents,
  outcome,
  output,
  paddingIsZero,
  poison,
  readValues,
  readWords,
  runCounted,
  runOnGpu,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';

export interface EncoderCase {
  B: number;
  T: number;
  C: number;
  V: number;
  maxT: number;
  /** Spread the table values over many binades so every counted event occurs. */
  wide?: boolean;
  /** Event-counting variant (default: subgroups when the device has them, else atomics). With
   * 'off' the ops are recorded without counters and nothing may be counted. */
  counting?: EventCounting;
  /** Tables packed in the storage format (a pure recipe), their gradients still f32. */
  packedTables?: boolean;
}

/** Token ids with repeats: drawn from the lower half of the vocabulary, one id forced often. */
function tokensOf(rng: Rng, n: number, V: number): Int32Array {
  const used = Math.max(1, Math.floor(V / 2));
  return Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 % V : rng.int(used)));
}

/** A value over ~2^-40 .. 2^20 with both signs, a few near the f32 and bf16 overflow edges. */
function wideValue(rng: Rng, i: number): number {
  if (i % 29 === 0) return (rng.uniform() < 0.5 ? -1 : 1) * 3.397e38;
  const e = Math.floor(rng.uniform() * 60) - 40;
  return (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.uniform()) * 2 ** e;
}

export async function checkEncoder(
  h: Harness,
  format: FormatName,
  rng: Rng,
  c: EncoderCase,
): Promise<Outcome> {
  const { B, T, C, V, maxT } = c;
  const N = B * T;
  const tokens = tokensOf(rng, N, V);
  const draw = (n: number) =>
    Float32Array.from({ length: n }, (_, i) => (c.wide ? wideValue(rng, i) : rng.normal()));
  const tables = c.packedTables ? format : 'fp32';
  const wte = stored(tables, draw(V * C));
  const wpe = stored(tables, draw(maxT * C));
  const dout = stored(format, rng.normals(N * C));

  // Reference, with numerics classify at every store.
  const { p, events: cpuAct } = countingPolicy(format);
  const wantOut = p.alloc(N * C);
  encoderForward(p, wantOut, tokens, wte, wpe, B, T, C);
  const wantDwte = p.alloc(V * C);
  const wantDwpe = p.alloc(maxT * C);
  encoderBackward(p, wantDwte, wantDwpe, dout, tokens, B, T, C);

  const k = await compileEncoder(h.env.ctx, h.env.cache, {
    storage: format,
    params: tables,
    counting: c.counting,
  });
  const tok = ids(h, tokens, 'tokens');
  const gWte = input(h, tables, [V, C], wte, 'wte');
  const gWpe = input(h, tables, [maxT, C], wpe, 'wpe');
  const gDout = input(h, format, [B, T, C], dout, 'dout');
  const gOut = output(h, format, [B, T, C], 'out');
  const gDwte = output(h, 'fp32', [V, C], 'dwte');
  const gDwpe = output(h, 'fp32', [maxT, C], 'dwpe');
  const off = c.counting === 'off';
  const counting = off ? undefined : { counters: h.counters, group: 0, paramGroup: 1 };
  const sizes = { B, T, C };
  const gpu = await runCounted(h, (enc) => {
    recordEncoderForward(enc, k, { out: gOut, tokens: tok, wte: gWte, wpe: gWpe }, sizes, counting);
    recordEncoderBackward(
      enc,
      k,
      { dwte: gDwte, dwpe: gDwpe, dout: gDout, tokens: tok },
      sizes,
      counting,
    );
  });
  // One f32 add (forward) and f32 adds in the reference's order (backward): WGSL's f32 + is
  // correctly rounded, so every value must be bit-exact.
  const comparisons = [
    compare('out', format, await readValues(h, gOut), wantOut, { ulps: 0 }),
    compare('dwte', 'fp32', await readValues(h, gDwte), wantDwte, { ulps: 0 }),
    compare('dwpe', 'fp32', await readValues(h, gDwpe), wantDwpe, { ulps: 0 }),
  ];
  // Determinism: the backward again over re-poisoned outputs gives the same words.
  const dwteWords = await readWords(h, gDwte);
  const dwpeWords = await readWords(h, gDwpe);
  poison(h, gDwte.buffer);
  poison(h, gDwpe.buffer);
  await runOnGpu(h, (enc) =>
    recordEncoderBackward(
      enc,
      k,
      { dwte: gDwte, dwpe: gDwpe, dout: gDout, tokens: tok },
      sizes,
      counting,
    ),
  );
  const repeatable =
    (await identicalWords(h, gDwte, dwteWords)) && (await identicalWords(h, gDwpe, dwpeWords));
  const repeats = tokens.reduce((m, t) => Math.max(m, tokens.filter((u) => u === t).length), 0);
  return outcome(
    comparisons,
    [
      { ok: await paddingIsZero(h, gOut), text: 'padding lanes zero' },
      off ? eventsMatch('uncounted out', gpu.act, noEvents()) : eventsMatch('out', gpu.act, cpuAct),
      eventsMatch('dwte/dwpe', gpu.param, noEvents()),
      { ok: repeatable, text: `backward repeated bit-identical (a token repeats ${repeats}x)` },
    ],
    gpu.ms,
    rng.seed,
    'exact: one f32 add per output (forward) and f32 adds in the reference order (backward), each correctly rounded in WGSL.',
  );
}
