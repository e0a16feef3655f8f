/**
 * The worker boundary: commands into the training worker, frames out of it. Every message has a
 * `type`; nothing else crosses (no GPU object, no class instance), so every payload is plain
 * structured-cloneable data. Both sides import this file and only this file.
 *
 * Incoming data is checked with parseCommand / parseWorkerMessage, which name an unknown `type`
 * or a malformed field in a sentence instead of trusting the sender.
 */
import type { DatasetName } from '../data';
import type { LaneConfig } from '../train/lane';
import type { Divergence, MetricsFrame, TextSample } from '../train/metrics';
import type { LaneStatus, MetricsSchedule, RunConfig } from '../train/trainer';

export type { DatasetName, Divergence, LaneConfig, LaneStatus, MetricsFrame, MetricsSchedule, RunConfig, TextSample };

// ---- commands: main thread -> worker ----

export interface ConfigureCommand {
  type: 'configure';
  run: RunConfig;
  dataset: DatasetName;
  /** 'webgpu' (default when available) or 'cpu' (the reference, the fallback). */
  backend: 'webgpu' | 'cpu';
}
export interface PlayCommand {
  type: 'play';
}
export interface PauseCommand {
  type: 'pause';
}
export interface StepCommand {
  type: 'step';
  /** Steps to run, then pause. */
  n: number;
}
export interface ResetCommand {
  type: 'reset';
}
export interface SetSpeedCommand {
  type: 'setSpeed';
  /** Cap while playing; Infinity for as fast as the device goes. */
  stepsPerSecond: number;
}

/** After a device loss: the lost run again, on a new device (or the CPU when WebGPU does not
 * come back), from its last weight snapshot (step 0 when none was taken), paused. */
export interface ResumeCommand {
  type: 'resume';
}
/** Destroys the run's GPU device as a driver reset or a crashed GPU process would, so the
 * recovery path can be seen (and tested). */
export interface LoseDeviceCommand {
  type: 'loseDevice';
}

/** Steps between two weight snapshots of a GPU run (the worker's default; the lab says it).
 * Measured on SwiftShader with three lanes: 6 ms for the tiny model (43k parameters a lane),
 * 0.3 s for the default one (2.3 M), whose steps take seconds: well under 1% of a run. */
export const SNAPSHOT_EVERY = 50;

export type WorkerCommand =
  | ConfigureCommand
  | PlayCommand
  | PauseCommand
  | StepCommand
  | ResetCommand
  | SetSpeedCommand
  | ResumeCommand
  | LoseDeviceCommand;

export const COMMAND_TYPES = ['configure', 'play', 'pause', 'step', 'reset', 'setSpeed', 'resume', 'loseDevice'] as const;

// ---- frames: worker -> main thread ----

export interface MetricsMessage {
  type: 'metrics';
  /** Frames of one or more steps, lanes in configuration order; samples are sent separately. */
  frames: MetricsFrame[];
}
export interface SamplesMessage {
  type: 'samples';
  samples: ({ lane: string; step: number } & TextSample)[];
}
export type RunState = 'unconfigured' | 'configuring' | 'paused' | 'playing' | 'stepping';
export interface StatusMessage {
  type: 'status';
  state: RunState;
  /** Steps completed. */
  step: number;
  backend: 'webgpu' | 'cpu' | null;
  lanes: LaneStatus[];
  /** Steps per second over the last second of playing. */
  stepsPerSecond: number;
  /** Set when the run trains on another backend than the one asked for: why, in a sentence. */
  fallback?: string;
}
export interface ErrorMessage {
  type: 'error';
  /** What went wrong, where, and what to do. */
  message: string;
  /** Validation problems, one sentence each, when a configure was refused. */
  details?: string[];
}
export interface LaneDivergedMessage {
  type: 'laneDiverged';
  lane: string;
  divergence: Divergence;
}
export interface DeviceLostMessage {
  type: 'deviceLost';
  /** GPUDeviceLostInfo's reason and message, and what became of the run, in words. */
  reason: string;
  /** Steps the run had completed when the device went, and the step of its last weight
   * snapshot (a resume goes on from there); both null when the run did not use the GPU. */
  step: number | null;
  snapshotStep: number | null;
}
/** A resume succeeded: the run is back at `step` (paused); frames after it are gone. */
export interface ResumedMessage {
  type: 'resumed';
  step: number;
  /** Steps trained since that snapshot that are lost. */
  lostSteps: number;
  backend: 'webgpu' | 'cpu';
}

export type WorkerMessage =
  | MetricsMessage
  | SamplesMessage
  | StatusMessage
  | ErrorMessage
  | LaneDivergedMessage
  | DeviceLostMessage
  | ResumedMessage;

export const WORKER_MESSAGE_TYPES = ['metrics', 'samples', 'status', 'error', 'laneDiverged', 'deviceLost', 'resumed'] as const;

// ---- validation ----

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function typeOf(data: unknown, known: readonly string[], side: string): Parsed<string> {
  if (!isObject(data)) return { ok: false, message: `${side} message is ${data === null ? 'null' : typeof data}, not an object with a "type"; send one of ${known.join(', ')}.` };
  const type = data.type;
  if (typeof type !== 'string') return { ok: false, message: `${side} message has no "type" string; send one of ${known.join(', ')}.` };
  if (!known.includes(type)) return { ok: false, message: `Unknown ${side.toLowerCase()} message type "${type}"; expected one of ${known.join(', ')}.` };
  return { ok: true, value: type };
}

/** A field check: null when fine, else the sentence. */
type Check = (data: Record<string, unknown>) => string | null;

const COMMAND_CHECKS: Record<(typeof COMMAND_TYPES)[number], Check> = {
  configure: (d) => {
    const run = d.run;
    if (!isObject(run)) return 'The configure command has no "run" object; send the model, lanes, dataSeed and metrics.';
    if (!isObject(run.model)) return 'The configure command\'s run.model is missing; send a ModelConfig.';
    if (!Array.isArray(run.lanes)) return 'The configure command\'s run.lanes is not a list; send one LaneConfig per lane.';
    if (!run.lanes.every(isObject)) return 'The configure command\'s run.lanes holds something other than lane objects.';
    if (typeof run.dataSeed !== 'number') return 'The configure command\'s run.dataSeed is not a number.';
    if (!isObject(run.metrics)) return 'The configure command\'s run.metrics is missing; send the metrics schedule.';
    if (typeof d.dataset !== 'string') return 'The configure command has no "dataset" name; send "shakespeare" or "synthetic".';
    if (d.backend !== 'webgpu' && d.backend !== 'cpu') return `The configure command's backend is ${JSON.stringify(d.backend)}; send "webgpu" or "cpu".`;
    return null;
  },
  play: () => null,
  pause: () => null,
  step: (d) =>
    Number.isInteger(d.n) && (d.n as number) >= 1
      ? null
      : `The step command's n is ${JSON.stringify(d.n)}; it must be a whole number of steps, 1 or more.`,
  reset: () => null,
  setSpeed: (d) =>
    typeof d.stepsPerSecond === 'number' && d.stepsPerSecond > 0
      ? null
      : `The setSpeed command's stepsPerSecond is ${JSON.stringify(d.stepsPerSecond)}; it must be a number above 0 (Infinity for no cap).`,
  resume: () => null,
  loseDevice: () => null,
};

/** The command in `data` (a MessageEvent's data), or the sentence saying why it is not one. */
export function parseCommand(data: unknown): Parsed<WorkerCommand> {
  const type = typeOf(data, COMMAND_TYPES, 'Command');
  if (!type.ok) return type;
  const error = COMMAND_CHECKS[type.value as WorkerCommand['type']](data as Record<string, unknown>);
  return error ? { ok: false, message: error } : { ok: true, value: data as WorkerCommand };
}

const MESSAGE_CHECKS: Record<(typeof WORKER_MESSAGE_TYPES)[number], Check> = {
  metrics: (d) => (Array.isArray(d.frames) ? null : 'The metrics message has no "frames" list.'),
  samples: (d) => (Array.isArray(d.samples) ? null : 'The samples message has no "samples" list.'),
  status: (d) =>
    typeof d.state === 'string' && typeof d.step === 'number' && Array.isArray(d.lanes)
      ? null
      : 'The status message needs a state, a step number and a lanes list.',
  error: (d) => (typeof d.message === 'string' ? null : 'The error message has no "message" sentence.'),
  laneDiverged: (d) =>
    typeof d.lane === 'string' && isObject(d.divergence) ? null : 'The laneDiverged message needs a lane id and a divergence.',
  deviceLost: (d) => {
    if (typeof d.reason !== 'string') return 'The deviceLost message has no "reason".';
    const stepOrNull = (x: unknown) => x === null || (Number.isInteger(x) && (x as number) >= 0);
    return stepOrNull(d.step) && stepOrNull(d.snapshotStep)
      ? null
      : 'The deviceLost message needs "step" and "snapshotStep", each a step number or null.';
  },
  resumed: (d) =>
    Number.isInteger(d.step) && Number.isInteger(d.lostSteps) && (d.backend === 'webgpu' || d.backend === 'cpu')
      ? null
      : 'The resumed message needs a step, the number of lost steps and a backend.',
};

/** The worker's message in `data`, or the sentence saying why it is not one. */
export function parseWorkerMessage(data: unknown): Parsed<WorkerMessage> {
  const type = typeOf(data, WORKER_MESSAGE_TYPES, 'Worker');
  if (!type.ok) return type;
  const error = MESSAGE_CHECKS[type.value as WorkerMessage['type']](data as Record<string, unknown>);
  return error ? { ok: false, message: error } : { ok: true, value: data as WorkerMessage };
}

/** Exhaustiveness helper for `switch (message.type)`: the default branch reports the unknown. */
export function unknownType(message: never): string {
  return `Unknown message type "${String((message as { type?: unknown }).type)}".`;
}
