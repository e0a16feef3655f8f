/**
 * The main thread's handle on the training worker. The UI (through the store) uses only this and
 * protocol.ts: send commands, subscribe to frames. Every incoming message is checked with
 * parseWorkerMessage; a worker that crashed, failed to load or sent something unreadable shows
 * up as an ErrorMessage with a sentence, like any other error.
 */
import {
  parseWorkerMessage,
  type StatusMessage,
  type WorkerCommand,
  type WorkerMessage,
} from './protocol';

export type LabListener = (message: WorkerMessage) => void;

export interface LabClient {
  /** Posts a command; the worker checks it and answers a malformed or unknown one with an error
   * message. One that cannot be structured-cloned becomes an error message here. */
  send(command: WorkerCommand): void;
  /** Calls `listener` with every message from now on; returns the function that unsubscribes. */
  subscribe(listener: LabListener): () => void;
  /** The last status the worker sent, or null before the first. */
  readonly lastStatus: StatusMessage | null;
  /** Terminates the worker; send() afterwards throws. */
  dispose(): void;
}

export interface LabClientOptions {
  /** A worker speaking protocol.ts; default a new training worker. */
  worker?: Worker;
}

export function createTrainingWorker(): Worker {
  return new Worker(new URL('./trainingWorker.ts', import.meta.url), {
    type: 'module',
    name: 'precision-lab training',
  });
}

export function createLabClient(options: LabClientOptions = {}): LabClient {
  const worker = options.worker ?? createTrainingWorker();
  const listeners = new Set<LabListener>();
  let lastStatus: StatusMessage | null = null;
  let disposed = false;

  const emit = (message: WorkerMessage): void => {
    if (message.type === 'status') lastStatus = message;
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch (error) {
        // One broken listener must not starve the others; the console keeps the trace.
        console.error('A lab client listener threw:', error);
      }
    }
  };
  const error = (message: string): void => emit({ type: 'error', message });

  worker.onmessage = (event: MessageEvent<unknown>) => {
    const parsed = parseWorkerMessage(event.data);
    if (parsed.ok) emit(parsed.value);
    else
      error(
        `The training worker sent a message the lab cannot read: ${parsed.message} This is a bug; reload the page.`,
      );
  };
  worker.onmessageerror = () =>
    error(
      'A message from the training worker could not be read (it did not survive structured cloning). This is a bug; reload the page.',
    );
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    const where = event.filename
      ? ` (${event.filename.replace(/^.*\//, '')}${event.lineno ? `:${event.lineno}` : ''})`
      : '';
    error(
      event.message
        ? `The training worker stopped with an error${where}: ${event.message.replace(/[.\s]+$/, '')}. Reload the page; if it happens again, the browser console has the details.`
        : 'The training worker could not start or crashed (its script failed to load or threw before it was ready). Reload the page; if it happens again, the browser console has the details.',
    );
  };

  return {
    send(command) {
      if (disposed)
        throw new Error(
          `The lab client was disposed, so the ${command.type} command cannot be sent; create a new client.`,
        );
      try {
        worker.postMessage(command);
      } catch (e) {
        error(
          `The ${command.type} command could not be sent to the training worker: ${(e as Error).message.replace(/[.\s]+$/, '')}. Send plain data only.`,
        );
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get lastStatus() {
      return lastStatus;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      listeners.clear();
      worker.terminate();
    },
  };
}
