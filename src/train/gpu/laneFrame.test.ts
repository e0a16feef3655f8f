// The GPU frame decoder against the CPU backend's frames: CPU lanes train a few steps, each frame
// is written into a ring slot the way the GPU buffers hold those numbers (the layouts of
// gpu/kernels/optim and model/gpu), and decoding the slot must give the CPU frame back, field for
// field. A decoder that reads a wrong word, mixes up the scale before and after the step, or
// words a divergence differently fails here without a GPU.
import { describe, expect, it } from 'vitest';
import { COUNTED_EVENTS, f32Bits } from '../../numerics';
import { NORM_HEADER, optimizerStateWords } from '../../gpu/kernels/optim';
import { CounterGroups, LOSS_SLOT } from '../../model/gpu';
import { F32, gradNorms } from '../../model/reference';
import { CpuLane } from '../cpu/cpuLane';
import { isPure } from '../cpu/laneModel';
import { makeLane, scalerConfig, type LaneConfig } from '../lane';
import { TENSOR_GROUPS, type MetricsFrame } from '../metrics';
import { testDataset, tinyRun } from '../testRun.testutil';
import { HIST } from './kernels/gradHistogram';
import { decodeLaneFrame, type LaneMeta } from './laneFrame';
import { SlotLayout, type LaneRegions, type Region } from './slotLayout';

function metaOf(lane: CpuLane, config: LaneConfig, L: number, E: number, tokens: number): LaneMeta {
  return {
    config,
    layers: L,
    experts: E,
    labels: lane.slices.map((s) => s.label),
    sites: lane.slices.map((s) => s.site),
    expertSpans: lane.expertSpans,
    scaled: scalerConfig(config).enabled,
    pure: isPure(config),
    tokens,
    elements: lane.model.layout.total,
    groups: new CounterGroups(L),
  };
}

/** The slot words a GPU lane would hold for this frame. */
function encode(frame: MetricsFrame, meta: LaneMeta, r: LaneRegions, bytes: number, params: Float32Array): Uint32Array {
  const w = new Uint32Array(bytes / 4);
  const put = (region: Region, words: ArrayLike<number>) => {
    expect(words.length * 4).toBeLessThanOrEqual(region.bytes);
    w.set(words, region.offset / 4);
  };
  const loss = new Array<number>(LOSS_SLOT.aux + 2 * meta.layers).fill(0);
  loss[LOSS_SLOT.total] = f32Bits(frame.loss);
  loss[LOSS_SLOT.crossEntropy] = f32Bits(frame.ceLoss);
  loss[LOSS_SLOT.balance] = f32Bits(frame.balanceLoss);
  loss[LOSS_SLOT.zLoss] = f32Bits(frame.zLoss);
  put(r.loss, loss);
  put(r.expertLoad, frame.expertLoad.flat());
  const counters = new Uint32Array(r.counters.bytes / 4);
  COUNTED_EVENTS.forEach((event, e) => {
    for (const group of TENSOR_GROUPS) {
      frame.events[event][group].forEach((n, site) => (counters[meta.groups.index(group, site) * 4 + e] = n));
    }
  });
  put(r.counters, counters);
  const norms = (global: number, flag: boolean, perTensor: number[]) => {
    const T = perTensor.length;
    const words = new Uint32Array(NORM_HEADER + 3 * T);
    words[0] = f32Bits(global);
    words[1] = flag ? 1 : 0;
    perTensor.forEach((x, t) => {
      words[NORM_HEADER + t] = f32Bits(x);
      words[NORM_HEADER + 2 * T + t] = Number.isFinite(x) ? 0 : 1;
    });
    return words;
  };
  put(r.gradNorm, norms(frame.gradNorm, !meta.scaled && frame.foundInf, new Array<number>(meta.labels.length).fill(0)));
  const weightsBad = frame.diverged?.reason === 'weights';
  put(r.weightNorm, norms(frame.weightNormTotal, weightsBad, meta.labels.map((l) => frame.weightNorms[l])));
  // The experts' span norms as the GPU's norm kernel leaves them (the reference's f32 norms of the
  // weights; the frame holds only their combination per expert).
  const spanNorms = new Float32Array(meta.expertSpans.length);
  gradNorms(F32, params, meta.expertSpans, spanNorms);
  put(r.expertWeightNorm, norms(0, false, Array.from(spanNorms)));
  put(r.stateBefore, optimizerStateWords({ scale: frame.lossScale }));
  put(r.stateAfter, optimizerStateWords({ scale: 1, lastFoundInf: meta.scaled && frame.foundInf }));
  if (r.lostUpdates) put(r.lostUpdates, [frame.lostUpdates ?? 0]);
  const hist = new Uint32Array(HIST.words);
  if (frame.gradHistogram) {
    const h = frame.gradHistogram;
    hist.set(h.counts);
    hist[HIST.below] = h.below;
    hist[HIST.above] = h.above;
    hist[HIST.nonfinite] = h.nonfinite;
  }
  hist[HIST.zeros] = Math.round(frame.gradZeroFraction * meta.elements);
  put(r.histogram, hist);
  if (r.heldout && frame.heldoutLoss !== undefined) put(r.heldout, [f32Bits(frame.heldoutLoss)]);
  return w;
}

describe('decodeLaneFrame', () => {
  const lanes = [
    makeLane('fp16-amp', { lr: 1e-2, scaler: { init_scale: 2 ** 28, growth_factor: 4, backoff_factor: 0.25, growth_interval: 3 } }),
    makeLane('bf16-pure', { lr: 1e-2 }),
    makeLane('fp32', { id: 'fp32-hot', lr: 1e30 }),
  ];
  const run = tinyRun(lanes);
  const data = testDataset();
  const { batch: B, context: T, layers: L, experts: E } = run.model;

  it('gives back the CPU frame of every step of every recipe, divergence included', () => {
    const layout = new SlotLayout();
    const cpu = lanes.map((l) => new CpuLane(run.model, l));
    const metas = cpu.map((c, i) => metaOf(c, lanes[i], L, E, B * T));
    const regions = cpu.map((c, i) => layout.lane({ layers: L, experts: E, counterBytes: metas[i].groups.names.length * 16, tensors: c.slices.length, expertSpans: c.expertSpans.length, pure: metas[i].pure, heldoutBatches: 1 }));
    let compared = 0;
    let diverged = 0;
    let skipped = 0;
    let lost = 0;
    for (let step = 1; step <= 6; step++) {
      const batch = data.batchAt('train', { batch: B, context: T, seed: run.dataSeed, step: step - 1 });
      cpu.forEach((lane, i) => {
        if (lane.divergence) return;
        const frame = lane.train(step, batch, step % 2 === 0);
        if (step === 3 && !frame.diverged) frame.heldoutLoss = lane.heldoutLoss([batch]);
        const words = encode(frame, metas[i], regions[i], layout.bytes, lane.model.params as Float32Array);
        const decoded = decodeLaneFrame(metas[i], regions[i], words, step, {
          histogram: frame.gradHistogram !== undefined,
          heldout: frame.heldoutLoss !== undefined,
          stepMs: frame.stepMs,
        });
        expect(decoded, `${lanes[i].id} step ${step}`).toEqual(frame);
        compared++;
        if (frame.diverged) diverged++;
        if (frame.stepSkipped) skipped++;
        lost += frame.lostUpdates ?? 0;
      });
    }
    expect(compared).toBeGreaterThan(12);
    // lr 1e30 diverges within a few steps; the decoded divergence (first group from the counts
    // in execution order) matched the CPU's first store.
    expect(diverged).toBe(1);
    expect(cpu[2].divergence).not.toBeNull();
    // The fp16 scaler with init_scale 2^28 skipped steps, the pure lane lost updates.
    expect(cpu[0].divergence).toBeNull();
    expect(skipped).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);
  });

  it('regions of a slot do not overlap and are whole words', () => {
    const layout = new SlotLayout();
    const shapes = [
      { layers: 2, experts: 8, counterBytes: 21 * 16, tensors: 30, expertSpans: 64, pure: true, heldoutBatches: 4 },
      { layers: 2, experts: 8, counterBytes: 21 * 16, tensors: 30, expertSpans: 64, pure: false, heldoutBatches: 0 },
    ];
    const all = shapes.flatMap((s) => Object.values(layout.lane(s)).filter((r): r is Region => r !== null));
    all.sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < all.length; i++) {
      expect(all[i].offset % 4).toBe(0);
      expect(all[i].bytes % 4).toBe(0);
      if (i > 0) expect(all[i].offset).toBeGreaterThanOrEqual(all[i - 1].offset + all[i - 1].bytes);
    }
    const last = all[all.length - 1];
    expect(layout.bytes).toBe(last.offset + last.bytes);
  });
});
