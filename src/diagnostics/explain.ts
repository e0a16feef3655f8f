/**
 * Sentences for a teacher about what the device's measured f32 behaviour means for the numbers
 * the lab shows. Thresholds come from numerics `range`, not typed in.
 */
import { range } from '../numerics';
import type { Findings } from './types';

type Explanation = Findings['explanations'][number];

const sci = (x: number) => x.toExponential(2);

function subnormals(s: NonNullable<Findings['subnormals']>): Explanation {
  const f32 = range('fp32');
  const below = `f32 values below ${sci(f32.minNormal)} (2^-126)`;
  if (!s.flushesResults && !s.flushesInputs) {
    return {
      topic: 'subnormals',
      headline: 'This device keeps f32 subnormals (gradual underflow, as IEEE 754 and a CPU do).',
      meaning:
        `${below} and down to ${sci(f32.minSubnormal)} survive arithmetic with fewer significant bits. ` +
        'FP32 lanes show subnormal events where the math produces them, as a CPU would.',
    };
  }
  const which =
    s.flushesResults && s.flushesInputs
      ? 'become 0 in arithmetic, both as results and as operands'
      : s.flushesResults
        ? 'become 0 when an operation produces them (operands that are already subnormal are kept)'
        : 'are treated as 0 when used as operands (results are kept)';
  return {
    topic: 'subnormals',
    headline: 'This device flushes f32 subnormals to zero.',
    meaning:
      `${below} ${which}. WGSL allows this. The lab's FP16/BF16 conversions are integer-exact and ` +
      'unaffected: the same f32 value gives the same FP16/BF16 bits and the same event on every device. ' +
      'FP32 lanes may show fewer subnormal events than a device without flushing, and tiny gradients ' +
      'that another GPU keeps can be exactly 0 here.',
  };
}

function rounding(r: NonNullable<Findings['rounding']>): Explanation {
  const of = (k: number) => `${k.toLocaleString('en-US')} of ${r.samples.toLocaleString('en-US')}`;
  if (r.mulRoundsToNearest && r.addRoundsToNearest) {
    return {
      topic: 'rounding',
      headline: 'f32 add and multiply round to nearest even, as on a CPU.',
      meaning:
        `All ${r.samples.toLocaleString('en-US')} random products and sums matched correctly rounded results bit for bit. ` +
        'Each f32 operation the lab shows gives the bits a CPU gives; a long sum can still differ from ' +
        "a CPU's in the last bits only when its additions happen in another order.",
    };
  }
  const parts: string[] = [];
  if (!r.mulRoundsToNearest)
    parts.push(
      `multiply rounds to nearest in ${of(r.mulNearest)} random cases (${r.mulTruncated} truncated)`,
    );
  if (!r.addRoundsToNearest)
    parts.push(
      `add rounds to nearest in ${of(r.addNearest)} random cases (${r.addTruncated} truncated)`,
    );
  return {
    topic: 'rounding',
    headline: 'f32 arithmetic here does not always round to nearest.',
    meaning:
      `f32 ${parts.join('; ')}. WGSL allows this (an error up to 1 unit in the last place, about ` +
      `${sci(range('fp32').epsilon)} relative). The lab's rounding to FP16/BF16 is integer-exact and ` +
      "unaffected, but FP32 losses and norms can differ from another device's around the 7th significant digit.",
  };
}

function subgroup(g: NonNullable<Findings['subgroup']>): Explanation {
  const reported =
    g.reportedMin !== null && g.reportedMax !== null
      ? g.reportedMin === g.reportedMax
        ? `${g.reportedMin}`
        : `${g.reportedMin}–${g.reportedMax}`
      : null;
  if (!g.feature) {
    return {
      topic: 'subgroup',
      headline: 'No subgroups on this device.',
      meaning:
        'The lab counts overflow/underflow events with one atomic add per invocation instead of a ' +
        'subgroup sum: the counts are identical, only slower to gather.',
    };
  }
  const measured = g.measured.length ? g.measured.join(', ') : 'not measured';
  return {
    topic: 'subgroup',
    headline: `Subgroup size ${measured}${reported ? ` (the adapter reports ${reported})` : ''}.`,
    meaning:
      'Event counters add their tallies within a subgroup; counts are integers, so they are the same ' +
      'for any subgroup size. A float sum split by subgroups adds in a size-dependent order, so its ' +
      'last bits may differ between GPUs, while runs on this one repeat exactly.',
  };
}

export function explainFindings(f: Omit<Findings, 'explanations'>): Explanation[] {
  const out: Explanation[] = [];
  if (f.subnormals) out.push(subnormals(f.subnormals));
  if (f.rounding) out.push(rounding(f.rounding));
  if (f.subgroup) out.push(subgroup(f.subgroup));
  return out;
}
