/**
 * The dispatch alone on synthetic routings large enough for several chunks of DISPATCH_CHUNK
 * assignments (the chained cases fit in one): random distinct experts per token, every token on
 * one expert, only two experts used (the rest empty), a single token, and the largest shape
 * (E = 16, N*k = 8192). Lists must equal the reference's exactly and two runs must be identical.
 */
import { createGpuDispatch, dispatchChunks, recordDispatchForward } from '../../../gpu/kernels/moe';
import { readBuffer, writeWords } from '../../../gpu';
import { createDispatch, dispatchForward } from '../../reference/dispatch';
import { Rng } from './cases';
import { compareExact } from './compare';
import { compileMoe, POISON, type GpuEnv } from './gpu';
import type { Outcome } from './checks';

type Kind = 'random' | 'one' | 'two';
const SHAPES: ReadonlyArray<{ N: number; E: number; k: number; kind: Kind }> = [
  { N: 1000, E: 8, k: 2, kind: 'random' },
  { N: 777, E: 4, k: 1, kind: 'one' },
  { N: 601, E: 8, k: 2, kind: 'two' },
  { N: 1, E: 4, k: 1, kind: 'random' },
  { N: 4096, E: 16, k: 2, kind: 'random' },
];

/** topIdx (N,k): distinct experts per token, as a router writes them. 'two' needs k <= 2. */
function routing(rng: Rng, N: number, E: number, k: number, kind: Kind): Int32Array {
  const top = new Int32Array(N * k);
  const star = rng.int(E);
  const pair = [1, 6];
  for (let t = 0; t < N; t++) {
    const pool = [...Array(E).keys()];
    const first = rng.int(2);
    for (let s = 0; s < k; s++) {
      if (kind === 'one') top[t * k + s] = (star + s) % E;
      else if (kind === 'two') top[t * k + s] = pair[(first + s) % 2];
      else top[t * k + s] = pool.splice(rng.int(pool.length), 1)[0];
    }
  }
  return top;
}

async function runDispatch(env: GpuEnv, top: Int32Array, N: number, E: number, k: number) {
  const { device } = env.ctx;
  const { dispatch } = await compileMoe(env, 'fp32', 'fp32');
  const topBuf = env.pool.acquire({
    label: 'moe dispatch topIdx',
    byteLength: top.byteLength,
    category: 'selftest',
  });
  const d = createGpuDispatch(env.pool, { N, E, k }, 'moe dispatch lists');
  const outs = [d.counts, d.offsets, d.tokenOf, d.rowOf];
  try {
    writeWords(device, topBuf, new Uint32Array(top.buffer));
    for (const b of outs) writeWords(device, b, new Uint32Array(b.size / 4).fill(POISON));
    const enc = device.createCommandEncoder({ label: 'moe dispatch lists' });
    recordDispatchForward(enc, dispatch, topBuf, d);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    const [counts, offsets, tokenOf, rowOf] = await Promise.all(
      outs.map((b) => readBuffer(device, b)),
    );
    return { counts, offsets, tokenOf, rowOf, ms };
  } finally {
    env.pool.release(topBuf);
    for (const b of [...outs, d.chunkCounts]) env.pool.release(b);
  }
}

export async function checkDispatchLists(env: GpuEnv, seed: number): Promise<Outcome> {
  const rng = new Rng(seed ^ 0x5bd1e995);
  let pass = true;
  const lines: string[] = [];
  for (const { N, E, k, kind } of SHAPES) {
    const top = routing(rng, N, E, k, kind);
    const ref = createDispatch(N, E, k);
    dispatchForward(ref, top, N, E, k);
    const a = await runDispatch(env, top, N, E, k);
    const b = await runDispatch(env, top, N, E, k);
    const R = N * k;
    const cmps = [
      compareExact('counts', a.counts.subarray(0, E), ref.counts),
      compareExact('offsets', a.offsets.subarray(0, E + 1), ref.offsets),
      compareExact('tokenOf', a.tokenOf.subarray(0, R), ref.tokenOf),
      compareExact('rowOf', a.rowOf.subarray(0, R), ref.rowOf),
    ];
    const same = (['counts', 'offsets', 'tokenOf', 'rowOf'] as const).every((n) =>
      a[n].every((w, i) => w === b[n][i]),
    );
    if (!cmps.every((x) => x.ok) || !same) pass = false;
    const empty = ref.counts.filter((n) => n === 0).length;
    lines.push(
      `N=${N} E=${E} k=${k} ${kind} (${dispatchChunks(N, k)} chunks, ${empty} empty experts, ` +
        `${a.ms.toFixed(1)} ms): ${cmps.map((x) => x.text).join(', ')}; ${same ? 'two runs identical' : 'two runs DIFFER'}`,
    );
  }
  return {
    pass,
    detail: `seed ${seed}. Exact against the reference dispatchForward. ${lines.join('; ')}`,
  };
}
