/**
 * Self-tests of the matmul family on the GPU against the CPU reference (matmul.ts,
 * groupedMatmul.ts): NN / NT / TN forward and backward for fp32, fp16 and bf16 storage with both
 * kernel variants, odd sizes (packed words straddle rows and batch entries), tiles larger than
 * one workgroup, the grouped per-expert matmul with empty experts and one expert taking all rows,
 * cast-event counts against numerics classify (subgroup and atomic counting), and the variant
 * chooser. Tolerances: see ./matmul/harness.ts. Fresh random inputs each run; the seed is in
 * every detail.
 */
import type { FormatName } from '../../numerics';
import { MATMUL_VARIANTS, chooseMatmulVariant, type MatmulForm } from '../../gpu/kernels/matmul';
import type { SelfTestEnv } from '../../gpu/selftest/gpuRuns';
import type { SelfTestResult } from '../../gpu/selftest/conversion';
import { hex, type Outcome } from './matmul/harness';
import { checkBackward, checkEvents, checkForward, type PlainCase } from './matmul/plainChecks';
import { checkGrouped } from './matmul/groupedChecks';
import { CheckList, freshSeed, seedSequence, withSelfTestEnv } from './suiteRun';

const FORMATS: readonly FormatName[] = ['fp32', 'fp16', 'bf16'];
const FORMS: readonly MatmulForm[] = ['NN', 'NT', 'TN'];
/** Odd everywhere: 16-bit words straddle rows (N odd) and batch entries (M * N odd). */
const ODD = { M: 7, N: 9, K: 13, batch: 3 };
/** Past one workgroup tile of either variant (256 x 8 and 64 x 64) and one TK slice (16). */
const LARGE = { M: 300, N: 67, K: 37, batch: 2 };

async function checkChooser(env: SelfTestEnv): Promise<Outcome> {
  const first = chooseMatmulVariant(env.ctx, env.cache);
  const again = chooseMatmulVariant(env.ctx, env.cache);
  const choice = await first;
  const ms = choice.msPerDispatch;
  const measured = MATMUL_VARIANTS.every((v) => Number.isFinite(ms[v]) && ms[v] > 0);
  const fastest = MATMUL_VARIANTS.every((v) => ms[choice.variant] <= ms[v]);
  return {
    pass: first === again && measured && fastest,
    detail:
      `chose ${choice.variant} on ${choice.adapterKey} by ${choice.method} time at ${choice.shape.form} ` +
      `${choice.shape.M}x${choice.shape.N}x${choice.shape.K}: ` +
      MATMUL_VARIANTS.map((v) => `${v} ${ms[v].toFixed(3)} ms`).join(', ') +
      (first === again ? '; cached per adapter' : '; NOT cached: a second call measured again'),
    data: { ...choice },
  };
}

export async function runMatmulSelfTests(): Promise<SelfTestResult[]> {
  const seed = freshSeed();
  return withSelfTestEnv('matmul self-test', async (env) => {
    const seedOf = seedSequence(seed);
    const { add, results } = new CheckList();
    for (const variant of MATMUL_VARIANTS) {
      for (const format of FORMATS) {
        for (const form of FORMS) {
          const c: PlainCase = { format, variant, form, ...ODD, seed: seedOf() };
          await add(`matmul ${form} ${format} ${variant} forward, bias on/off`, () =>
            checkForward(env, c),
          );
          await add(`matmul ${form} ${format} ${variant} backward (dA, dB, dbias)`, () =>
            checkBackward(env, { ...c, seed: seedOf() }),
          );
        }
      }
      for (const [format, form] of [
        ['fp16', 'NT'],
        ['fp32', 'TN'],
      ] as const) {
        const c: PlainCase = { format, variant, form, ...LARGE, seed: seedOf() };
        const size = `${LARGE.M}x${LARGE.N}x${LARGE.K} batch ${LARGE.batch}`;
        await add(`matmul ${form} ${format} ${variant} forward, several tiles (${size})`, () =>
          checkForward(env, c),
        );
        await add(`matmul ${form} ${format} ${variant} backward, several tiles (${size})`, () =>
          checkBackward(env, { ...c, seed: seedOf() }),
        );
      }
      const wide: PlainCase = {
        format: 'fp16',
        variant,
        form: 'NT',
        M: 12,
        N: 11,
        K: 13,
        batch: 1,
        seed: seedOf(),
      };
      await add(`matmul fp16 ${variant} overflow/underflow/subnormal counts = classify`, () =>
        checkEvents(env, wide),
      );
      if (variant === 'register') {
        await add('matmul fp16 register event counts with atomic counting = classify', () =>
          checkEvents(env, { ...wide, seed: seedOf(), counting: 'atomic' }),
        );
      }
      for (const format of FORMATS) {
        for (const [what, counts] of [
          ['random segments, expert 1 empty', [9, 0, 17, 14]],
          ['expert 2 takes every row', [0, 0, 40, 0]],
          ['experts 0 and 3 empty, several tiles', [0, 300, 67, 0]],
        ] as const) {
          await add(`grouped ${format} ${variant} forward+backward: ${what}`, () =>
            checkGrouped(env, {
              format,
              variant,
              counts: [...counts],
              N: 9,
              K: 13,
              seed: seedOf(),
            }),
          );
        }
      }
      await add(`grouped fp16 ${variant} overflow/underflow/subnormal counts = classify`, () =>
        checkGrouped(env, {
          format: 'fp16',
          variant,
          counts: [5, 0, 12, 7],
          N: 11,
          K: 13,
          seed: seedOf(),
          wide: true,
        }),
      );
    }
    await add('variant chooser measures both variants and caches per adapter', () =>
      checkChooser(env),
    );
    for (const r of results) if (!r.pass) r.detail += ` [suite seed ${hex(seed)}]`;
    return results;
  });
}

export const suite = { name: 'Matmul', run: runMatmulSelfTests };
