/**
 * Connects a worker client to the stores: commands go out, messages land in the run and series
 * slices. The one place that knows the order of things:
 *  - configure and reset start a new run: frames still in flight from the old one are dropped
 *    until the worker's status says step 0, and only then are the series cleared;
 *  - a play or step asked for together with a configure is sent once the configure succeeded
 *    (a refused configure leaves the old run, which must not start playing instead).
 */
import type { LabClient } from '../worker/client';
import type { WorkerMessage } from '../worker/protocol';
import type { ConfiguredRun, RunStore } from './runState';
import type { SeriesStore } from './series';

/** What the session uses of the worker client (tests pass an in-process one). */
export type LabClientLike = Pick<LabClient, 'send' | 'subscribe' | 'dispose'>;

export type AfterConfigure = { type: 'play' } | { type: 'step'; n: number } | null;

export interface LabSession {
  /** Configures a new run; `then` runs once it is ready. */
  configure(configured: ConfiguredRun, then?: AfterConfigure): void;
  play(): void;
  pause(): void;
  step(n: number): void;
  reset(): void;
  setSpeed(stepsPerSecond: number): void;
  /** After a device loss: the run again from its last snapshot (its later steps are dropped from
   * the series); `then` runs once it is back. */
  resume(then?: AfterConfigure): void;
  /** Destroys the run's GPU device, as a loss would (to see the recovery). */
  loseDevice(): void;
  /** Stops listening and disposes the client. */
  dispose(): void;
}

export function connectSession(client: LabClientLike, stores: { run: RunStore; series: SeriesStore }): LabSession {
  const { run, series } = stores;
  /** A new run was asked for; frames are dropped until its step-0 status. */
  let awaitingStart = false;
  let previous: ConfiguredRun | null = null;
  let pending: AfterConfigure = null;

  const onMessage = (message: WorkerMessage): void => {
    switch (message.type) {
      case 'metrics':
        if (!awaitingStart) series.getState().append(message.frames);
        return;
      case 'samples':
        if (!awaitingStart) series.getState().addSamples(message.samples);
        return;
      case 'status':
        if (awaitingStart && message.state !== 'configuring' && message.step === 0) {
          awaitingStart = false;
          series.getState().clear();
          run.getState().applyStatus(message);
          const next = pending;
          pending = null;
          if (next) client.send(next.type === 'play' ? { type: 'play' } : { type: 'step', n: next.n });
          return;
        }
        run.getState().applyStatus(message);
        return;
      case 'error':
        if (awaitingStart && message.details) {
          // The configure was refused; the old run (if any) stays and keeps its series.
          awaitingStart = false;
          pending = null;
          run.getState().setConfigured(previous);
        }
        run.getState().setError({ message: message.message, details: message.details });
        return;
      case 'laneDiverged':
        series.getState().setDivergence(message.lane, message.divergence);
        return;
      case 'deviceLost':
        run.getState().setDeviceLost({ reason: message.reason, step: message.step, snapshotStep: message.snapshotStep });
        return;
      case 'resumed': {
        series.getState().truncate(message.step);
        run.getState().setDeviceLost(null);
        const next = pending;
        pending = null;
        if (next) client.send(next.type === 'play' ? { type: 'play' } : { type: 'step', n: next.n });
        return;
      }
      default:
        run.getState().setError({ message: `The training worker sent a message the lab does not know: ${JSON.stringify((message as { type?: unknown }).type)}.` });
    }
  };
  const unsubscribe = client.subscribe(onMessage);

  return {
    configure(configured, then = null) {
      previous = run.getState().configured;
      awaitingStart = true;
      pending = then;
      run.getState().setError(null);
      run.getState().setDeviceLost(null);
      run.getState().setConfigured(configured);
      run.getState().setConfiguring();
      client.send({ type: 'configure', run: configured.run, dataset: configured.dataset, backend: configured.backend });
    },
    play: () => client.send({ type: 'play' }),
    pause: () => client.send({ type: 'pause' }),
    step: (n) => client.send({ type: 'step', n }),
    reset() {
      awaitingStart = true;
      pending = null;
      run.getState().setError(null);
      client.send({ type: 'reset' });
    },
    setSpeed: (stepsPerSecond) => client.send({ type: 'setSpeed', stepsPerSecond }),
    resume(then = null) {
      pending = then;
      run.getState().setError(null);
      client.send({ type: 'resume' });
    },
    loseDevice: () => client.send({ type: 'loseDevice' }),
    dispose() {
      unsubscribe();
      client.dispose();
    },
  };
}
