/**
 * The training worker (a module Web Worker): owns the Trainer, the dataset and, on the WebGPU
 * backend, the GPUDevice, so that training never blocks the page. Commands in and frames out
 * follow protocol.ts; LabController does the work. Started by client.ts:
 *   new Worker(new URL('./trainingWorker.ts', import.meta.url), { type: 'module' })
 */
import { LabController } from './controller';
import type { WorkerMessage } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: WorkerMessage): void => scope.postMessage(message);

const controller = new LabController({ post });

scope.onmessage = (event: MessageEvent<unknown>) => controller.receive(event.data);
scope.onmessageerror = () =>
  post({
    type: 'error',
    message:
      'A command could not be read by the training worker (it did not survive structured cloning); send plain data only.',
  });
scope.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  event.preventDefault();
  const reason = event.reason instanceof Error ? event.reason.message : String(event.reason);
  post({
    type: 'error',
    message: `The training worker hit an unexpected error: ${reason.replace(/[.\s]+$/, '')}. Reset the run; if it happens again, reload the page.`,
  });
});
