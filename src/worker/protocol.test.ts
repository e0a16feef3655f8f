import { describe, expect, it } from 'vitest';
import { modelConfig } from '../model/config';
import { makeLane } from '../train/lane';
import { DEFAULT_METRICS_SCHEDULE } from '../train/trainer';
import { COMMAND_TYPES, parseCommand, parseWorkerMessage, unknownType, WORKER_MESSAGE_TYPES, type WorkerCommand } from './protocol';

const configure: WorkerCommand = {
  type: 'configure',
  run: { model: modelConfig('tiny', 65), lanes: [makeLane('fp32')], dataSeed: 1, metrics: DEFAULT_METRICS_SCHEDULE },
  dataset: 'shakespeare',
  backend: 'cpu',
};

describe('worker protocol', () => {
  it('accepts every command, after a structured clone', () => {
    const commands: WorkerCommand[] = [
      configure,
      { type: 'play' },
      { type: 'pause' },
      { type: 'step', n: 3 },
      { type: 'reset' },
      { type: 'setSpeed', stepsPerSecond: Infinity },
      { type: 'resume' },
      { type: 'loseDevice' },
    ];
    expect(commands.map((c) => c.type)).toEqual([...COMMAND_TYPES]);
    for (const c of commands) expect(parseCommand(structuredClone(c))).toEqual({ ok: true, value: c });
  });

  it('reports an unknown type, a missing type and bad fields in sentences', () => {
    expect(parseCommand({ type: 'train' })).toEqual({
      ok: false,
      message: 'Unknown command message type "train"; expected one of configure, play, pause, step, reset, setSpeed, resume, loseDevice.',
    });
    expect(parseCommand({ n: 1 })).toEqual({ ok: false, message: 'Command message has no "type" string; send one of configure, play, pause, step, reset, setSpeed, resume, loseDevice.' });
    expect(parseCommand(null)).toMatchObject({ ok: false, message: expect.stringMatching(/^Command message is null, not an object/) });
    expect(parseCommand({ type: 'step', n: 0 })).toEqual({ ok: false, message: "The step command's n is 0; it must be a whole number of steps, 1 or more." });
    expect(parseCommand({ type: 'setSpeed', stepsPerSecond: -2 })).toMatchObject({ ok: false });
    expect(parseCommand({ ...configure, backend: 'metal' })).toEqual({ ok: false, message: 'The configure command\'s backend is "metal"; send "webgpu" or "cpu".' });
    expect(parseCommand({ type: 'configure', dataset: 'x', backend: 'cpu' })).toMatchObject({ ok: false, message: expect.stringMatching(/no "run" object/) });
  });

  it('checks messages from the worker the same way', () => {
    const messages = [
      { type: 'metrics', frames: [] },
      { type: 'samples', samples: [{ lane: 'fp32', step: 100, prompt: 'To', completion: ' be', temperature: 0 }] },
      { type: 'status', state: 'paused', step: 0, backend: 'cpu', lanes: [], stepsPerSecond: 0 },
      { type: 'error', message: 'WebGPU is not available in this browser; training runs on the CPU.' },
      { type: 'laneDiverged', lane: 'hot', divergence: { step: 2, reason: 'loss', group: 'activations', site: 'layer0', event: 'overflow', message: '...' } },
      { type: 'deviceLost', reason: 'destroyed: the GPU process restarted', step: 12, snapshotStep: 10 },
      { type: 'resumed', step: 10, lostSteps: 2, backend: 'webgpu' },
    ];
    expect(messages.map((m) => m.type)).toEqual([...WORKER_MESSAGE_TYPES]);
    for (const m of messages) expect(parseWorkerMessage(m).ok, m.type).toBe(true);
    expect(parseWorkerMessage({ type: 'frames' })).toMatchObject({ ok: false, message: expect.stringMatching(/^Unknown worker message type "frames"/) });
    expect(parseWorkerMessage({ type: 'error' })).toEqual({ ok: false, message: 'The error message has no "message" sentence.' });
    expect(parseWorkerMessage({ type: 'deviceLost', reason: 'gone', step: 3 })).toMatchObject({ ok: false, message: expect.stringMatching(/"snapshotStep"/) });
    expect(parseWorkerMessage({ type: 'resumed', step: 10, lostSteps: 2, backend: 'metal' })).toMatchObject({ ok: false });
  });

  it('gives a switch default its sentence', () => {
    expect(unknownType({ type: 'bogus' } as never)).toBe('Unknown message type "bogus".');
  });
});
