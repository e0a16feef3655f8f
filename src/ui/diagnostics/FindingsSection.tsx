import type { Findings } from '../../diagnostics/types';
import { Notice } from '../common/Notice';

type Topic = Findings['explanations'][number]['topic'];

const TOPICS: { topic: Topic; title: string }[] = [
  { topic: 'subnormals', title: 'f32 subnormals' },
  { topic: 'rounding', title: 'f32 rounding' },
  { topic: 'subgroup', title: 'Subgroup size' },
];

const reportedRange = (min: number | null, max: number | null) =>
  min === null || max === null ? 'no range' : min === max ? `${min}` : `${min}–${max}`;

/** The badge and the measured numbers of one finding. */
function facts(
  f: Findings,
  topic: Topic,
): { badge: string; kind: string; measured: string } | null {
  if (topic === 'subnormals' && f.subnormals) {
    const { flushesResults: r, flushesInputs: i } = f.subnormals;
    return {
      badge: r || i ? 'flushed to zero' : 'kept',
      kind: r || i ? 'warn' : 'yes',
      measured: `2^-126 × 0.5 ${r ? 'gives 0' : 'stays 2^-127'}; a subnormal operand ${i ? 'counts as 0' : 'is kept'}`,
    };
  }
  if (topic === 'rounding' && f.rounding) {
    const r = f.rounding;
    const nearest = r.mulRoundsToNearest && r.addRoundsToNearest;
    const n = r.samples.toLocaleString('en-US');
    return {
      badge: nearest ? 'to nearest even' : 'not always nearest',
      kind: nearest ? 'yes' : 'warn',
      measured: `nearest in × ${r.mulNearest.toLocaleString('en-US')} / ${n}, + ${r.addNearest.toLocaleString('en-US')} / ${n} random pairs`,
    };
  }
  if (topic === 'subgroup' && f.subgroup) {
    const g = f.subgroup;
    return {
      badge: g.feature ? g.measured.join(', ') || 'unknown' : 'none',
      kind: g.feature ? 'yes' : 'no',
      measured: g.feature
        ? `kernel measured ${g.measured.join(', ') || '—'}; adapter reports ${reportedRange(g.reportedMin, g.reportedMax)}`
        : 'no "subgroups" feature: counters use atomics',
    };
  }
  return null;
}

export function FindingsSection({
  findings,
  measuring,
}: {
  findings: Findings | null;
  measuring: boolean;
}) {
  return (
    <section
      className="card diag-findings"
      aria-labelledby="diag-findings-h"
      data-testid="diag-findings"
    >
      <h2 id="diag-findings-h">What this GPU does that WGSL allows</h2>
      <p className="note diag-findings-lead">
        WGSL lets a GPU flush f32 subnormals to zero and round f32 arithmetic other than to nearest.
        The lab’s conversions to FP16, BF16 and FP8 never depend on either: they are integer bit
        operations, identical on every device. What differs is the f32 arithmetic around them; here
        is what this device does, measured.
      </p>
      {findings?.error && (
        <Notice kind="warn" title="Not everything could be measured">
          {findings.error}
        </Notice>
      )}
      <div className="diag-finding-grid">
        {TOPICS.map(({ topic, title }) => {
          const e = findings?.explanations.find((x) => x.topic === topic);
          const fact = findings ? facts(findings, topic) : null;
          return (
            <article key={topic} className="diag-finding" data-testid={`finding-${topic}`}>
              <header>
                <h3>{title}</h3>
                {fact && <span className={`badge ${fact.kind}`}>{fact.badge}</span>}
              </header>
              {e ? (
                <>
                  <p className="diag-finding-headline">{e.headline}</p>
                  <p className="diag-finding-meaning">{e.meaning}</p>
                  {fact && <p className="detail mono diag-finding-measured">{fact.measured}</p>}
                </>
              ) : (
                <p className="detail">
                  {measuring ? 'Measuring…' : 'Not measured yet: press “Run self-tests” above.'}
                </p>
              )}
            </article>
          );
        })}
      </div>
    </section>
  );
}
