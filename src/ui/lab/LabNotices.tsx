/**
 * What the person must know before the charts: link settings that were ignored, why the run is
 * on the CPU, a lost GPU (with Resume), the worker's errors, and settings changed since the run.
 * Every message is rendered as text.
 */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ProbeResult } from '../../gpu/probe';
import { SNAPSHOT_EVERY } from '../../worker/protocol';
import { Notice } from '../common/Notice';
import { useLab } from './labContext';

export function LabNotices({
  urlNotices,
  probe,
}: {
  urlNotices: string[];
  probe: Promise<ProbeResult>;
}) {
  const { stores, actions } = useLab();
  const [linkNotices, setLinkNotices] = useState(urlNotices);
  const [probed, setProbed] = useState<ProbeResult | null>(null);
  useEffect(() => {
    let live = true;
    void probe.then((r) => live && setProbed(r));
    return () => {
      live = false;
    };
  }, [probe]);
  const backendChoice = useStore(stores.config, (s) => s.backend);
  const modelSize = useStore(stores.config, (s) => s.modelSize);
  const fallback = useStore(stores.run, (s) => s.fallback);
  const runBackend = useStore(stores.run, (s) => s.backend);
  const error = useStore(stores.run, (s) => s.error);
  const deviceLost = useStore(stores.run, (s) => s.deviceLost);

  const noGpu = probed !== null && !probed.available ? probed.message : null;
  const onCpu =
    backendChoice === 'cpu' || noGpu !== null || fallback !== null || runBackend === 'cpu';
  const why =
    backendChoice === 'cpu'
      ? 'You chose the CPU reference backend.'
      : noGpu !== null
        ? noGpu
        : (fallback ?? 'The worker chose the CPU reference.');

  return (
    <div className="lab-notices">
      {linkNotices.length > 0 && (
        <Notice kind="warn" title="Some of the link's settings could not be used">
          <ul className="notice-list" data-notice="url">
            {linkNotices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              // Said once: a later visit to the tab does not repeat it.
              urlNotices.length = 0;
              setLinkNotices([]);
            }}
          >
            Dismiss
          </button>
        </Notice>
      )}
      {onCpu && (
        <Notice kind="info" title="Training on the CPU reference, not WebGPU">
          <p data-notice="backend">{why}</p>
          <p>
            The CPU reference rounds with the same bit-exact conversions and agrees with the GPU
            kernels within their stated tolerances; it is only slower.
            {modelSize !== 'tiny' && (
              <>
                {' '}
                The {modelSize} model takes seconds per step there;{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => stores.config.getState().setModelSize('tiny')}
                >
                  use the tiny model
                </button>{' '}
                to see curves move within a minute.
              </>
            )}
          </p>
        </Notice>
      )}
      {deviceLost && (
        <Notice
          kind="error"
          title={deviceLost.step === null ? 'A GPU device was lost' : 'The GPU device was lost; the run is paused'}
        >
          <p data-notice="device-lost">{deviceLost.reason}</p>
          {deviceLost.snapshotStep !== null && (
            <p>
              The weights lived on that device. The lab copies them to the CPU every {SNAPSHOT_EVERY} steps, so
              Resume (or Play) goes on from step {deviceLost.snapshotStep} on a new device, or on the CPU reference
              if WebGPU does not come back
              {deviceLost.step !== null && deviceLost.step > deviceLost.snapshotStep
                ? `, retraining the ${deviceLost.step - deviceLost.snapshotStep} steps since (their points leave the charts and come back as the run replays them)`
                : ''}
              .
            </p>
          )}
          {deviceLost.snapshotStep !== null && (
            <button type="button" onClick={actions.resume} data-action="resume">
              Resume from step {deviceLost.snapshotStep}
            </button>
          )}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => stores.run.getState().setDeviceLost(null)}
          >
            Dismiss
          </button>
        </Notice>
      )}
      {error && (
        <Notice kind="error" title="The run reported a problem">
          <p data-notice="error">{error.message}</p>
          {error.details && error.details.length > 1 && (
            <ul className="notice-list">
              {error.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
          <button
            type="button"
            className="link-button"
            onClick={() => stores.run.getState().setError(null)}
          >
            Dismiss
          </button>
        </Notice>
      )}
    </div>
  );
}
