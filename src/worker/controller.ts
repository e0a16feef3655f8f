/**
 * The training worker's brain, free of worker globals so Node tests can drive it: it takes
 * commands (protocol.ts), owns the Trainer and the dataset, runs the play / step loop and posts
 * frames. trainingWorker.ts only wires it to the worker's message port.
 *
 * Commands are handled one after another, in the order they came; the loop runs beside them and
 * gives the message queue a turn between two steps, so pause, reset and setSpeed act at the next
 * step boundary (a step in flight finishes first). Frames of a step that was in flight when the
 * run was reset or replaced are dropped: every frame the main thread sees belongs to the run its
 * last status describes.
 *
 * A run on the GPU is copied to the CPU every `snapshotEvery` steps (Trainer.snapshot). When the
 * device is lost the run stops, and a resume command builds it again on a new device (or the
 * CPU, when WebGPU does not come back) from that snapshot, so at most the steps since are lost.
 */
import type { RunSnapshot } from '../train/snapshot';
import type { Trainer } from '../train/trainer';
import { Backends, type BackendOptions } from './backends';
import { DatasetCache } from './datasets';
import { Outbox, FLUSH_INTERVAL_MS } from './outbox';
import { Sleeper, StepRate, yieldToQueue } from './pace';
import {
  parseCommand,
  unknownType,
  type ConfigureCommand,
  type MetricsFrame,
  SNAPSHOT_EVERY,
  type RunState,
  type WorkerCommand,
  type WorkerMessage,
} from './protocol';

export interface ControllerOptions {
  post: (message: WorkerMessage) => void;
  /** GPU trainer factory and device acquisition (tests pass fakes); device loss is handled here. */
  backends?: Omit<BackendOptions, 'onDeviceLost'>;
  datasets?: DatasetCache;
  /** Milliseconds; default performance.now. */
  now?: () => number;
  /** Most often a metrics message leaves while running; default ~33 ms. */
  flushIntervalMs?: number;
  /** Most often a status leaves while running; default 250 ms. */
  statusIntervalMs?: number;
  /** Steps between two weight snapshots of a GPU run (0: none); default SNAPSHOT_EVERY. */
  snapshotEvery?: number;
}

/** What a resume needs of a run whose device was lost. */
interface LostRun {
  command: ConfigureCommand;
  snapshot: RunSnapshot | null;
  /** Steps it had completed. */
  step: number;
}

const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).trim().replace(/[.\s]+$/, '') ||
  'no reason was given';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export class LabController {
  readonly #post: (message: WorkerMessage) => void;
  readonly #backends: Backends;
  readonly #datasets: DatasetCache;
  readonly #now: () => number;
  readonly #statusIntervalMs: number;
  readonly #snapshotEvery: number;
  readonly #outbox: Outbox;
  readonly #rate = new StepRate();
  readonly #sleeper = new Sleeper();

  #trainer: Trainer | null = null;
  #fallback: string | undefined;
  /** The configure command of the current run, its last snapshot, and a run lost with its device. */
  #configured: ConfigureCommand | null = null;
  #snapshot: RunSnapshot | null = null;
  #lost: LostRun | null = null;
  #state: RunState = 'unconfigured';
  /** Steps left while stepping. */
  #remaining = 0;
  #cap = Infinity;
  /** Bumped by configure, reset and device loss: a loop or step of an older generation is stale. */
  #generation = 0;
  #looping = false;
  #loop: Promise<void> = Promise.resolve();
  #commands: Promise<void> = Promise.resolve();

  constructor(options: ControllerOptions) {
    this.#post = options.post;
    this.#backends = new Backends({
      ...options.backends,
      onDeviceLost: (reason) => this.#deviceLost(reason),
    });
    this.#datasets = options.datasets ?? new DatasetCache();
    this.#now = options.now ?? (() => performance.now());
    this.#statusIntervalMs = options.statusIntervalMs ?? 250;
    this.#snapshotEvery = options.snapshotEvery ?? SNAPSHOT_EVERY;
    this.#outbox = new Outbox(this.#post, options.flushIntervalMs ?? FLUSH_INTERVAL_MS);
  }

  /** A message from the main thread: checked, then handled after the commands before it (so
   * answers, the error for a malformed one included, come in the order of the commands). */
  receive(data: unknown): void {
    const parsed = parseCommand(data);
    if (!parsed.ok) {
      const message = parsed.message;
      this.#commands = this.#commands.then(() => this.#error(message));
      return;
    }
    const command = parsed.value;
    this.#commands = this.#commands.then(() =>
      this.#handle(command).catch((error: unknown) => {
        this.#error(
          `The ${command.type} command failed in the training worker: ${reasonOf(error)}.`,
        );
        if (this.#state === 'configuring') this.#state = this.#trainer ? 'paused' : 'unconfigured';
        this.#status();
      }),
    );
  }

  /** Resolves when every command received so far has been handled (tests). */
  settled(): Promise<void> {
    return this.#commands.then(() => this.#loop);
  }

  async #handle(command: WorkerCommand): Promise<void> {
    switch (command.type) {
      case 'configure':
        return this.#configure(command);
      case 'play':
        return this.#start('playing', 0);
      case 'step':
        return this.#start('stepping', command.n);
      case 'pause':
        return this.#pause();
      case 'reset':
        return this.#reset();
      case 'setSpeed':
        this.#cap = command.stepsPerSecond;
        this.#sleeper.wake();
        return;
      case 'resume':
        return this.#resume();
      case 'loseDevice':
        if (!(await this.#backends.loseDevice())) {
          this.#error('There is no GPU device to lose: no run has used WebGPU in this worker, or its device is already gone.');
        }
        return;
      default:
        this.#error(unknownType(command));
    }
  }

  async #configure(command: ConfigureCommand): Promise<void> {
    await this.#halt('configuring');
    this.#status();
    const data = await this.#datasets.open(command.dataset, command.run.dataSeed);
    if (!data.ok) return this.#refuse([data.message]);
    const choice = await this.#backends.createTrainer(command.backend);
    let result;
    try {
      result = await choice.trainer.configure(command.run, data.value);
    } catch (error) {
      result = {
        ok: false as const,
        errors: [
          `The ${choice.trainer.backend} trainer failed while allocating the run: ${reasonOf(error)}.`,
        ],
      };
    }
    if (!result.ok) {
      choice.trainer.dispose();
      return this.#refuse(result.errors);
    }
    this.#adopt(choice.trainer, choice.fallback, command, null);
    if (choice.fallback) this.#error(choice.fallback);
    this.#status();
  }

  /** The trainer becomes the run's, paused. */
  #adopt(trainer: Trainer, fallback: string | undefined, command: ConfigureCommand, snapshot: RunSnapshot | null): void {
    this.#trainer?.dispose();
    this.#trainer = trainer;
    this.#fallback = fallback;
    this.#configured = command;
    this.#snapshot = snapshot;
    this.#lost = null;
    this.#rate.restart();
    this.#state = 'paused';
  }

  async #resume(): Promise<void> {
    const lost = this.#lost;
    if (!lost) {
      this.#error('There is no lost run to resume: resume follows a GPU device loss; to train, press play.');
      return;
    }
    await this.#halt('configuring');
    this.#status();
    const { command, snapshot } = lost;
    const failed = (why: string): void => {
      this.#state = this.#trainer ? 'paused' : 'unconfigured';
      this.#error(`The run could not be resumed: ${why}. Try Resume again, or reset the run to start over.`);
      this.#status();
    };
    const data = await this.#datasets.open(command.dataset, command.run.dataSeed);
    if (!data.ok) return failed(data.message.replace(/[.\s]+$/, ''));
    const choice = await this.#backends.createTrainer(command.backend);
    try {
      const result = await choice.trainer.configure(command.run, data.value);
      if (!result.ok) throw new Error(result.errors.join(' '));
      if (snapshot) await choice.trainer.restore(snapshot);
    } catch (error) {
      choice.trainer.dispose();
      return failed(`the ${choice.trainer.backend} trainer refused it (${reasonOf(error)})`);
    }
    this.#adopt(choice.trainer, choice.fallback, command, snapshot);
    const step = snapshot?.step ?? 0;
    this.#post({ type: 'resumed', step, lostSteps: lost.step - step, backend: choice.trainer.backend });
    if (choice.fallback) this.#error(choice.fallback);
    this.#status();
  }

  /** The configure was refused; the previous run, if any, stays (paused). */
  #refuse(errors: string[]): void {
    this.#state = this.#trainer ? 'paused' : 'unconfigured';
    const message =
      errors.length === 1
        ? `The run was not configured: ${errors[0]}`
        : `The run was not configured: it has ${plural(errors.length, 'problem')} (listed in details), the first: ${errors[0]}`;
    this.#post({ type: 'error', message, details: errors });
    this.#status();
  }

  async #start(mode: 'playing' | 'stepping', n: number): Promise<void> {
    const trainer = this.#trainer;
    if (!trainer) {
      this.#error(
        `There is no run to ${mode === 'playing' ? 'play' : 'step'}: send a configure command first.`,
      );
      return;
    }
    if (this.#allDiverged(trainer)) {
      this.#error(
        `Every lane has diverged (at step ${trainer.status().step} or before), so there is nothing left to train; reset the run or configure another.`,
      );
      this.#status();
      return;
    }
    this.#state = mode;
    this.#remaining = n;
    this.#status();
    if (!this.#looping) {
      this.#rate.restart();
      this.#looping = true;
      this.#loop = this.#run(trainer);
    }
  }

  async #pause(): Promise<void> {
    if (this.#state === 'playing' || this.#state === 'stepping') {
      this.#state = 'paused';
      this.#sleeper.wake();
      // The loop posts the paused status once the step in flight has landed.
      await this.#loop;
    } else this.#status();
  }

  async #reset(): Promise<void> {
    const trainer = this.#trainer;
    if (!trainer) {
      this.#error('There is no run to reset: send a configure command first.');
      return;
    }
    await this.#halt('paused');
    this.#snapshot = null;
    try {
      await trainer.reset();
    } catch (error) {
      this.#error(
        `Resetting the run failed on the ${trainer.backend} backend: ${reasonOf(error)}. Configure the run again.`,
      );
    }
    this.#rate.restart();
    this.#status();
  }

  /** Stops the loop for good (its in-flight step's frames are dropped) and waits for it. */
  async #halt(next: RunState): Promise<void> {
    this.#generation++;
    this.#state = next;
    this.#sleeper.wake();
    await this.#loop;
    this.#outbox.clear();
  }

  #running(generation: number): boolean {
    return (
      generation === this.#generation && (this.#state === 'playing' || this.#state === 'stepping')
    );
  }

  async #run(trainer: Trainer): Promise<void> {
    const generation = this.#generation;
    let lastStart = -Infinity;
    let lastStatus = this.#now();
    try {
      while (this.#running(generation)) {
        if (this.#state === 'playing' && Number.isFinite(this.#cap)) {
          const wait = lastStart + 1000 / this.#cap - this.#now();
          if (wait > 0) {
            await this.#sleeper.sleep(wait);
            continue; // state, speed or run may have changed while asleep
          }
        }
        lastStart = this.#now();
        let frames: MetricsFrame[];
        try {
          frames = await trainer.step(1);
        } catch (error) {
          // A lost device fails the step in flight; its loss is reported on its own, a moment later.
          if (trainer.backend === 'webgpu') await new Promise((resolve) => setTimeout(resolve, 100));
          if (generation !== this.#generation) break;
          this.#state = 'paused';
          this.#outbox.flush();
          this.#error(
            `Step ${trainer.status().step + 1} failed on the ${trainer.backend} backend: ${reasonOf(error)}. The run is paused; reset it or configure it again.`,
          );
          break;
        }
        if (generation !== this.#generation) break;
        const now = this.#now();
        this.#rate.tick(now);
        this.#outbox.add(frames);
        this.#outbox.flushIfDue(now);
        await this.#maybeSnapshot(trainer, generation);
        if (generation !== this.#generation) break;
        if (this.#state === 'stepping' && --this.#remaining <= 0) this.#state = 'paused';
        if (this.#allDiverged(trainer)) {
          this.#state = 'paused';
          this.#outbox.flush();
          this.#error(
            `Every lane has diverged by step ${trainer.status().step}, so the run stopped; each lane's divergence says where. Reset the run or configure another.`,
          );
        }
        if (now - lastStatus >= this.#statusIntervalMs && this.#running(generation)) {
          this.#outbox.flush();
          this.#status();
          lastStatus = now;
        }
        await yieldToQueue();
      }
    } finally {
      this.#looping = false;
    }
    if (generation === this.#generation) {
      this.#outbox.flush();
      this.#status();
    }
  }

  /** Every snapshotEvery steps of a GPU run, a copy of its state on the CPU. A failed copy
   * (the device going) keeps the one before. */
  async #maybeSnapshot(trainer: Trainer, generation: number): Promise<void> {
    const step = trainer.status().step;
    if (trainer.backend !== 'webgpu' || this.#snapshotEvery <= 0 || step % this.#snapshotEvery !== 0) return;
    try {
      const snapshot = await trainer.snapshot();
      if (generation === this.#generation) this.#snapshot = snapshot;
    } catch {
      // The loss, if that is what it was, is reported by the device's lost promise.
    }
  }

  #allDiverged(trainer: Trainer): boolean {
    const lanes = trainer.status().lanes;
    return lanes.length > 0 && lanes.every((l) => l.state === 'diverged');
  }

  #deviceLost(reason: string): void {
    const trainer = this.#trainer;
    if (trainer?.backend !== 'webgpu') {
      this.#post({
        type: 'deviceLost',
        reason: `${reason} The current run does not use the GPU and goes on.`,
        step: null,
        snapshotStep: null,
      });
      return;
    }
    const step = trainer.status().step;
    this.#lost = this.#configured ? { command: this.#configured, snapshot: this.#snapshot, step } : null;
    this.#generation++;
    this.#state = 'unconfigured';
    this.#sleeper.wake();
    this.#outbox.clear();
    trainer.dispose();
    this.#trainer = null;
    this.#fallback = undefined;
    this.#configured = null;
    this.#snapshot = null;
    const from = this.#lost?.snapshot?.step ?? 0;
    this.#post({
      type: 'deviceLost',
      reason: `${reason} The run stopped after step ${step}.`,
      step,
      snapshotStep: from,
    });
    this.#status();
  }

  #error(message: string): void {
    this.#post({ type: 'error', message });
  }

  #status(): void {
    const trainer = this.#trainer;
    const status = trainer?.status();
    this.#post({
      type: 'status',
      state: this.#state,
      step: status?.step ?? 0,
      backend: trainer?.backend ?? null,
      lanes: status?.lanes ?? [],
      stepsPerSecond: this.#rate.stepsPerSecond,
      ...(this.#fallback ? { fallback: this.#fallback } : {}),
    });
  }

  /** Stops the loop and frees the trainer and the device. */
  dispose(): void {
    this.#generation++;
    this.#state = 'unconfigured';
    this.#sleeper.wake();
    this.#trainer?.dispose();
    this.#trainer = null;
    this.#backends.dispose();
  }
}
