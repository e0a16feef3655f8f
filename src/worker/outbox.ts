/**
 * Frames leave the worker in batches, at most about one message per display frame, so a fast
 * backend (hundreds of steps per second) does not flood the main thread. Text samples travel in
 * their own message (protocol.ts), and a lane's divergence follows the metrics that hold it.
 */
import type { MetricsFrame, SamplesMessage, WorkerMessage } from './protocol';

/** ~30 per second: charts redraw at most this often anyway. */
export const FLUSH_INTERVAL_MS = 1000 / 30;

export class Outbox {
  readonly #post: (message: WorkerMessage) => void;
  readonly #intervalMs: number;
  #frames: MetricsFrame[] = [];
  #samples: SamplesMessage['samples'] = [];
  #diverged: MetricsFrame[] = [];
  #lastFlush = -Infinity;

  constructor(post: (message: WorkerMessage) => void, intervalMs = FLUSH_INTERVAL_MS) {
    this.#post = post;
    this.#intervalMs = intervalMs;
  }

  add(frames: readonly MetricsFrame[]): void {
    for (const frame of frames) {
      if (frame.sample) {
        const { sample, ...rest } = frame;
        this.#samples.push({ lane: frame.lane, step: frame.step, ...sample });
        this.#frames.push(rest);
      } else this.#frames.push(frame);
      if (frame.diverged) this.#diverged.push(frame);
    }
  }

  /** Posts what is queued when the last batch left `intervalMs` ago or more; now in ms. */
  flushIfDue(now: number): void {
    if (now - this.#lastFlush >= this.#intervalMs) {
      this.flush();
      this.#lastFlush = now;
    }
  }

  /** Posts what is queued: metrics, then samples, then one laneDiverged per diverged lane. */
  flush(): void {
    if (this.#frames.length > 0) this.#post({ type: 'metrics', frames: this.#frames });
    if (this.#samples.length > 0) this.#post({ type: 'samples', samples: this.#samples });
    for (const frame of this.#diverged) {
      if (frame.diverged)
        this.#post({ type: 'laneDiverged', lane: frame.lane, divergence: frame.diverged });
    }
    this.#frames = [];
    this.#samples = [];
    this.#diverged = [];
  }

  /** Drops what is queued (frames of a run that was reset or replaced). */
  clear(): void {
    this.#frames = [];
    this.#samples = [];
    this.#diverged = [];
  }
}
