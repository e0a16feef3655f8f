import { FEATURES_OF_INTEREST, type ProbeResult } from '../../gpu/probe';
import { Notice } from '../common/Notice';

/** The adapter in brief (the Device tab has every feature and limit). */
export function AdapterCard({ probe }: { probe: ProbeResult }) {
  if (!probe.available) {
    return (
      <Notice kind="error" title="WebGPU is not available in this browser">
        <p data-reason={probe.reason}>{probe.message}</p>
        <p>Without WebGPU the self-tests fail at their first step; the Formats tab still works.</p>
      </Notice>
    );
  }
  const a = probe.adapter;
  const subgroups =
    a.subgroupMinSize === null
      ? 'not reported'
      : a.subgroupMinSize === a.subgroupMaxSize
        ? `${a.subgroupMinSize}`
        : `${a.subgroupMinSize}–${a.subgroupMaxSize}`;
  return (
    <section className="card diag-adapter" aria-labelledby="diag-adapter-h">
      <h2 id="diag-adapter-h">Adapter</h2>
      <div className="diag-adapter-row">
        <dl className="kv">
          <dt>vendor / architecture</dt>
          <dd className="mono" data-testid="diag-adapter-name">
            {[a.vendor, a.architecture].filter(Boolean).join(' / ') || '(not reported)'}
          </dd>
          <dt>description</dt>
          <dd className="mono">{a.description || '(not reported)'}</dd>
          <dt>software adapter</dt>
          <dd>
            <span className={a.isSoftware ? 'badge warn' : 'badge no'}>
              {a.isSoftware ? `yes (${a.softwareName})` : 'no'}
            </span>{' '}
            <span className="detail">
              {a.isSoftware
                ? 'shaders run on the CPU: the numbers are real, the timings are not a GPU’s'
                : 'shaders run on this GPU'}
            </span>
          </dd>
        </dl>
        <dl className="kv">
          {FEATURES_OF_INTEREST.map((f) => (
            <div key={f} className="diag-kv-pair" data-feature={f}>
              <dt className="mono">{f}</dt>
              <dd>
                <span className={a.featuresOfInterest[f] ? 'badge yes' : 'badge no'}>
                  {a.featuresOfInterest[f] ? 'yes' : 'no'}
                </span>
              </dd>
            </div>
          ))}
          <div className="diag-kv-pair">
            <dt>subgroup sizes</dt>
            <dd className="mono">{subgroups}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}
