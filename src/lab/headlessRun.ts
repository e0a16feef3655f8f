/**
 * The page side of `npm run lab` (scripts/lab.mjs calls runInPage through callInPage): drives the
 * training worker through a LabClient as the UI does (configure, then step N), collects every
 * frame and sample, and returns the exports as text: run.json (runDocument.ts) and metrics.csv
 * (csv.ts). Progress goes to `window.__labProgress` when the script exposed one.
 *
 * A lost GPU device does not end the run: it resumes from the worker's last weight snapshot (on a
 * new device, or the CPU), the frames after that snapshot are dropped and trained again, and the
 * result lists each resume. `loseDeviceAt` destroys the device once that step is done, as a
 * driver reset would, to show it.
 */
import { frameToRows, toCsv, type CsvRow } from '../train/csv';
import type { MetricsFrame } from '../train/metrics';
import { buildRunDocument, runDocumentJson } from '../train/runDocument';
import { createLabClient } from '../worker/client';
import type { Divergence, SamplesMessage, StatusMessage, WorkerMessage } from '../worker/protocol';
import type { RunSpec } from './runSpec';

export interface LabProgress {
  step: number;
  total: number;
  /** The worker's rate over the last second. */
  stepsPerSecond: number;
  /** Since the step command went out. */
  seconds: number;
}

declare global {
  interface Window {
    __labProgress?: (p: LabProgress) => Promise<void> | void;
  }
}

/** Losses survived this many times; one more ends the run. */
const MAX_RESUMES = 3;

export interface HeadlessRunOptions {
  /** Destroys the GPU device once this step is done (to see the run resume). */
  loseDeviceAt?: number;
}

export interface HeadlessResume {
  /** Steps done when the device went, and the snapshot step the run went on from. */
  lostAfter: number;
  from: number;
  backend: 'webgpu' | 'cpu';
}

export interface HeadlessRunResult {
  /** Configured and stepped to the end without an error. */
  ok: boolean;
  /** Refused at configure: the validation sentences. */
  refused?: string[];
  backend: 'webgpu' | 'cpu' | null;
  fallback?: string;
  stepsDone: number;
  seconds: number;
  /** Steps per second over the stepping (wall clock in the page). */
  stepsPerSecond: number;
  /** Error sentences from the worker; the fallback notice is in `fallback`, not here. */
  errors: string[];
  divergences: { lane: string; divergence: Divergence }[];
  /** Each lost device the run went on from. */
  resumes: HeadlessResume[];
  /** Per lane: the last train loss and the last held-out loss. */
  last: Record<string, { step: number; loss: number; heldoutLoss?: number }>;
  runJson: string;
  csv: string;
  csvRows: number;
}

/** Calls to the script go over the DevTools protocol: a few per second is plenty. */
const PROGRESS_INTERVAL_MS = 200;

export async function runInPage(spec: RunSpec & HeadlessRunOptions): Promise<HeadlessRunResult> {
  const client = createLabClient();
  let frames: MetricsFrame[] = [];
  let samples: SamplesMessage['samples'] = [];
  const errors: string[] = [];
  let divergences: HeadlessRunResult['divergences'] = [];
  const resumes: HeadlessResume[] = [];
  let lost: { step: number } | null = null;
  let loseAt = spec.loseDeviceAt ?? null;
  let refused: string[] | undefined;
  let status: StatusMessage | null = null;
  let started = 0;
  let lastProgress = -Infinity;

  const progress = (force = false): void => {
    const now = performance.now();
    if (!window.__labProgress || (!force && now - lastProgress < PROGRESS_INTERVAL_MS)) return;
    lastProgress = now;
    const step = frames.length > 0 ? frames[frames.length - 1].step : 0;
    void window.__labProgress({
      step,
      total: spec.steps,
      stepsPerSecond: status?.stepsPerSecond ?? 0,
      seconds: started ? (now - started) / 1000 : 0,
    });
  };

  const finished = new Promise<void>((resolve) => {
    let phase: 'configure' | 'step' | 'resume' = 'configure';
    let stepping = false;
    client.subscribe((m: WorkerMessage) => {
      switch (m.type) {
        case 'metrics':
          frames.push(...m.frames);
          if (loseAt !== null && m.frames.some((f) => f.step >= (loseAt as number))) {
            loseAt = null;
            client.send({ type: 'loseDevice' });
          }
          progress();
          return;
        case 'samples':
          samples.push(...m.samples);
          return;
        case 'laneDiverged':
          divergences.push({ lane: m.lane, divergence: m.divergence });
          return;
        case 'error':
          if (phase === 'configure' && m.details) refused = m.details;
          else errors.push(m.message);
          if (phase === 'resume') resolve();
          return;
        case 'deviceLost':
          if (m.step === null || m.snapshotStep === null || resumes.length >= MAX_RESUMES) {
            errors.push(m.reason);
            return;
          }
          phase = 'resume';
          lost = { step: m.step };
          client.send({ type: 'resume' });
          return;
        case 'resumed': {
          // The steps after the snapshot are trained again: their first frames go.
          const keep = m.step;
          frames = frames.filter((f) => f.step <= keep);
          samples = samples.filter((x) => x.step <= keep);
          divergences = divergences.filter((d) => d.divergence.step <= keep);
          resumes.push({ lostAfter: lost?.step ?? keep, from: keep, backend: m.backend });
          phase = 'step';
          stepping = false;
          if (keep >= spec.steps) resolve();
          else client.send({ type: 'step', n: spec.steps - keep });
          return;
        }
        case 'status':
          status = m;
          if (phase === 'resume') return;
          if (phase === 'configure' && m.state === 'paused') {
            phase = 'step';
            started = performance.now();
            client.send({ type: 'step', n: spec.steps });
          } else if (m.state === 'unconfigured' && (phase === 'step' || refused)) resolve();
          else if (phase === 'step' && m.state === 'stepping') stepping = true;
          else if (phase === 'step' && stepping && m.state === 'paused') resolve();
          progress();
          return;
      }
    });
  });
  client.send({ type: 'configure', run: spec.run, dataset: spec.dataset, backend: spec.backend });
  await finished;
  const seconds = started ? (performance.now() - started) / 1000 : 0;
  client.dispose();
  progress(true);

  // Samples travel apart from the frames; the run document wants them on their frames.
  const byKey = new Map(samples.map(({ lane, step, ...sample }) => [`${lane}@${step}`, sample]));
  for (const f of frames) {
    const sample = byKey.get(`${f.lane}@${f.step}`);
    if (sample) f.sample = sample;
  }
  const doc = buildRunDocument(
    {
      model: spec.run.model,
      data: { dataset: spec.dataset, seed: spec.run.dataSeed },
      lanes: spec.run.lanes,
    },
    frames,
  );
  const rows: CsvRow[] = frames.flatMap((f) => frameToRows(f));
  const last: HeadlessRunResult['last'] = {};
  for (const f of frames) {
    const previous = last[f.lane];
    last[f.lane] = {
      step: f.step,
      loss: f.loss,
      heldoutLoss: f.heldoutLoss ?? previous?.heldoutLoss,
    };
  }
  const final = status as StatusMessage | null;
  const stepsDone = final?.step ?? 0;
  // The fallback notice came as an error frame too; it is reported once, as the fallback.
  if (final?.fallback)
    errors.splice(0, errors.length, ...errors.filter((e) => e !== final.fallback));
  return {
    ok: !refused && errors.length === 0 && stepsDone === spec.steps,
    ...(refused ? { refused } : {}),
    backend: final?.backend ?? null,
    ...(final?.fallback ? { fallback: final.fallback } : {}),
    stepsDone,
    seconds,
    stepsPerSecond: seconds > 0 ? stepsDone / seconds : 0,
    errors,
    divergences,
    resumes,
    last,
    runJson: runDocumentJson(doc),
    csv: toCsv(rows),
    csvRows: rows.length,
  };
}
