import { useEffect, useState } from 'react';
import {
  FEATURES_OF_INTEREST,
  KEY_LIMITS,
  probeWebGPU,
  type AdapterReport,
  type ProbeResult,
} from '../../gpu/probe';
import { Notice } from '../common/Notice';

/** Why each feature matters to the lab, shown beside yes/no. */
const FEATURE_USE: Record<(typeof FEATURES_OF_INTEREST)[number], string> = {
  'shader-f16': 'native f16 arithmetic in shaders (the lab rounds with integer ops either way)',
  'timestamp-query': 'GPU-side kernel timings',
  subgroups: 'faster reductions (sums, norms, max) within a subgroup',
};

/** Limits whose value is a size in bytes, written in binary units (1 MiB = 2^20 B). */
const BYTE_LIMITS = new Set<string>([
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
]);

function showBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (u < units.length - 1 && n >= 1024 ** (u + 1)) u++;
  return `${Number((n / 1024 ** u).toPrecision(4))} ${units[u]}`;
}

/** The Device tab: what WebGPU adapter this browser gives, or what to do when it gives none. */
export function DevicePage() {
  const [result, setResult] = useState<ProbeResult | null>(null);
  useEffect(() => {
    let live = true;
    probeWebGPU().then(
      (r) => live && setResult(r),
      (err: unknown) =>
        live &&
        setResult({
          available: false,
          reason: 'request-failed',
          message: `Probing WebGPU failed: ${String(err)}.`,
        }),
    );
    return () => {
      live = false;
    };
  }, []);

  if (!result) return <p className="loading">Asking the browser for a WebGPU adapter…</p>;
  if (!result.available) {
    return (
      <div className="device-page">
        <Notice kind="error" title="WebGPU is not available in this browser">
          <p data-reason={result.reason}>{result.message}</p>
          <p>
            The Formats tab works without WebGPU; training and the device checks need it. This page
            is {window.isSecureContext ? 'a secure context' : 'not a secure context'}; browser:{' '}
            <span className="mono">{navigator.userAgent}</span>
          </p>
        </Notice>
      </div>
    );
  }
  return <AdapterView a={result.adapter} />;
}

function AdapterView({ a }: { a: AdapterReport }) {
  const yes = (v: boolean) => (
    <span className={v ? 'badge yes' : 'badge no'}>{v ? 'yes' : 'no'}</span>
  );
  return (
    <div className="device-page">
      <section className="card" aria-labelledby="adapter-h">
        <h2 id="adapter-h">Adapter</h2>
        {a.isSoftware ? (
          <Notice
            kind="warn"
            title={`Software adapter (${a.softwareName ?? 'software'}): real WebGPU, slow`}
          >
            Numbers are correct but timings are not your GPU's: the shaders run on the CPU. On a
            machine with a GPU, check that hardware acceleration is on (chrome://gpu).
          </Notice>
        ) : (
          <Notice kind="info" title="Hardware adapter">
            Shaders run on the GPU below; timings are this GPU's.
          </Notice>
        )}
        <dl className="kv">
          <dt>vendor</dt>
          <dd className="mono">{a.vendor || '(not reported)'}</dd>
          <dt>architecture</dt>
          <dd className="mono">{a.architecture || '(not reported)'}</dd>
          <dt>device</dt>
          <dd className="mono">{a.device || '(not reported)'}</dd>
          <dt>description</dt>
          <dd className="mono">{a.description || '(not reported)'}</dd>
          <dt>software fallback</dt>
          <dd data-testid="software-fallback">
            <span className={a.isSoftware ? 'badge warn' : 'badge no'}>
              {a.isSoftware ? 'yes' : 'no'}
            </span>{' '}
            {a.isSoftware && (
              <span className="detail">
                {a.isFallbackAdapter
                  ? 'the adapter reports isFallbackAdapter'
                  : `recognised by name (${a.softwareName})`}
              </span>
            )}
          </dd>
        </dl>
      </section>

      <div className="device-columns">
        <section className="card" aria-labelledby="features-h">
          <h2 id="features-h">Features the lab uses</h2>
          <table className="data-table">
            <tbody>
              {FEATURES_OF_INTEREST.map((f) => (
                <tr key={f} data-feature={f}>
                  <th scope="row" className="mono">
                    {f}
                  </th>
                  <td>{yes(a.featuresOfInterest[f])}</td>
                  <td className="detail">{FEATURE_USE[f]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="limits-h">
          <h2 id="limits-h">Key limits</h2>
          <table className="data-table">
            <tbody>
              {KEY_LIMITS.map((k) => (
                <tr key={k} data-limit={k}>
                  <th scope="row" className="mono">
                    {k}
                  </th>
                  <td className="num mono">{a.limits[k].toLocaleString('en-US')}</td>
                  <td className="detail">{BYTE_LIMITS.has(k) ? showBytes(a.limits[k]) : ''}</td>
                </tr>
              ))}
              <tr data-limit="subgroupSize">
                <th scope="row" className="mono">
                  subgroupMinSize / MaxSize
                </th>
                <td className="num mono">
                  {a.subgroupMinSize ?? '—'} / {a.subgroupMaxSize ?? '—'}
                </td>
                <td className="detail">
                  {a.subgroupMinSize === null ? 'not reported' : 'invocations'}
                </td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>

      <section className="card" aria-labelledby="all-features-h">
        <h2 id="all-features-h">All features ({a.features.length})</h2>
        <ul className="feature-list">
          {a.features.map((f) => (
            <li key={f} className="mono">
              {f}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
