/**
 * Timing helpers of the training loop: the measured step rate, a sleep that a command can cut
 * short, and a yield that lets queued messages (pause, reset) run between two steps.
 */

/** Steps per second over the last `windowMs` of steps. */
export class StepRate {
  readonly #windowMs: number;
  #times: number[] = [];

  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  /** A step finished at `now` (ms). */
  tick(now: number): void {
    this.#times.push(now);
    // Keep the window, but always the last two steps so slow runs (under 1 step/s) have a rate.
    while (this.#times.length > 2 && now - this.#times[0] > this.#windowMs) this.#times.shift();
  }

  /** 0 until two steps have finished. */
  get stepsPerSecond(): number {
    const t = this.#times;
    if (t.length < 2) return 0;
    const span = t[t.length - 1] - t[0];
    return span > 0 ? ((t.length - 1) * 1000) / span : 0;
  }

  /** Forget the past, e.g. after a pause: the rate measures playing only. */
  restart(): void {
    this.#times = [];
  }
}

/** A sleep that `wake()` ends early. */
export class Sleeper {
  #wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#wake = done;
    });
  }

  wake(): void {
    this.#wake?.();
  }
}

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/**
 * Resolves after the tasks already queued (incoming commands among them) have run. In a browser a
 * MessageChannel round trip, not setTimeout(0), whose nested calls are clamped to 4 ms; in Node
 * (tests) setImmediate, since Node drains a port's messages in one go, starving timers.
 */
export function yieldToQueue(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
    .setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  if (typeof MessageChannel === 'undefined')
    return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}
