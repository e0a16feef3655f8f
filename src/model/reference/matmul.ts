/**
 * Batched matrix multiply in three layouts, with optional bias, forward and backward.
 *
 *   NN: out (M,N) = A (M,K)   · B (K,N)
 *   NT: out (M,N) = A (M,K)   · B (N,K)^T   the linear layer: weight (OC, C) as in llm.c / PyTorch
 *   TN: out (M,N) = A (K,M)^T · B (K,N)     weight gradients
 * Batched: `batch` matrices of each operand lie one after another; the bias (N) is shared.
 *
 * Precision (autocast): A and B must already hold storage-format values (the caller casts weights
 * once per step with castInto). Accumulation in f32 over k ascending, starting from 0:
 * acc = round(acc + round(a * b)); then acc = round(acc + bias[j]); out = store(acc).
 * Backward outputs (dA, dB, and dbias = f32 sum over batch then rows ascending) are matmul outputs
 * too, so they are written with store.
 */
import type { Buf, Precision } from './precision';

export type MatmulForm = 'NN' | 'NT' | 'TN';

/** Element counts of A and B for one batch entry. */
function operandSizes(M: number, N: number, K: number): { a: number; b: number } {
  return { a: M * K, b: K * N };
}

/** Element strides: A(i,k) = a[a0 + i*ai + k*ak], B(k,j) = b[b0 + k*bk + j*bj]. */
interface Strides {
  ai: number;
  ak: number;
  bk: number;
  bj: number;
}

function stridesOf(form: MatmulForm, M: number, N: number, K: number): Strides {
  if (form === 'NN') return { ai: K, ak: 1, bk: N, bj: 1 }; // A (M,K), B (K,N)
  if (form === 'NT') return { ai: K, ak: 1, bk: 1, bj: K }; // A (M,K), B (N,K)
  return { ai: 1, ak: M, bk: N, bj: 1 }; // TN: A (K,M), B (K,N)
}

/**
 * out (M,N) at o0 = op(A) · op(B) [+ bias] for one batch entry, any form. Each output sums over
 * k ascending from 0: acc = round(acc + round(A(i,k) * B(k,j))), then round(acc + bias[j]),
 * stored once. `acc` (at least N) holds one output row, so B is walked along j inside k.
 */
function product(
  p: Precision,
  form: MatmulForm,
  out: Buf,
  o0: number,
  a: Buf,
  a0: number,
  b: Buf,
  b0: number,
  bias: Buf | null,
  M: number,
  N: number,
  K: number,
  acc: Float64Array,
): void {
  const r = p.round;
  const { ai, ak, bk, bj } = stridesOf(form, M, N, K);
  for (let i = 0; i < M; i++) {
    acc.fill(0, 0, N);
    for (let k = 0; k < K; k++) {
      const av = a[a0 + i * ai + k * ak];
      const row = b0 + k * bk;
      for (let j = 0; j < N; j++) acc[j] = r(acc[j] + r(av * b[row + j * bj]));
    }
    const o = o0 + i * N;
    if (bias === null) {
      for (let j = 0; j < N; j++) out[o + j] = p.store(acc[j]);
    } else {
      for (let j = 0; j < N; j++) out[o + j] = p.store(r(acc[j] + bias[j]));
    }
  }
}

/**
 * out (batch,M,N) = op(A) · op(B) [+ bias (N)], op by form (see the file comment).
 * a: (batch,M,K) for NN/NT, (batch,K,M) for TN; b: (batch,K,N) for NN/TN, (batch,N,K) for NT.
 */
export function matmulForward(
  p: Precision,
  form: MatmulForm,
  out: Buf,
  a: Buf,
  b: Buf,
  bias: Buf | null,
  M: number,
  N: number,
  K: number,
  batch: number = 1,
): void {
  const size = operandSizes(M, N, K);
  // f32 accumulators of one output row (values stay f32 under an f32 policy because of `round`).
  const acc = new Float64Array(N);
  for (let q = 0; q < batch; q++) {
    product(p, form, out, q * M * N, a, q * size.a, b, q * size.b, bias, M, N, K, acc);
  }
}

/**
 * Gradients of out = op(A) · op(B) + bias, given dout (batch,M,N). Each of da (shape of a),
 * db (shape of b), dbias (N) is overwritten, or skipped when null.
 *   NN: dA = dout · B^T (NT),   dB = A^T · dout (TN)
 *   NT: dA = dout · B   (NN),   dB = dout^T · A (TN)
 *   TN: dA = B · dout^T (NT),   dB = A · dout   (NN)
 */
export function matmulBackward(
  p: Precision,
  form: MatmulForm,
  da: Buf | null,
  db: Buf | null,
  dbias: Buf | null,
  dout: Buf,
  a: Buf,
  b: Buf,
  M: number,
  N: number,
  K: number,
  batch: number = 1,
): void {
  const size = operandSizes(M, N, K);
  const acc = new Float64Array(Math.max(M, N, K));
  for (let q = 0; q < batch; q++) {
    const o0 = q * M * N;
    const a0 = q * size.a;
    const b0 = q * size.b;
    if (form === 'NN') {
      if (da) product(p, 'NT', da, a0, dout, o0, b, b0, null, M, K, N, acc); // (M,K) = (M,N)·(K,N)^T
      if (db) product(p, 'TN', db, b0, a, a0, dout, o0, null, K, N, M, acc); // (K,N) = (M,K)^T·(M,N)
    } else if (form === 'NT') {
      if (da) product(p, 'NN', da, a0, dout, o0, b, b0, null, M, K, N, acc); // (M,K) = (M,N)·(N,K)
      if (db) product(p, 'TN', db, b0, dout, o0, a, a0, null, N, K, M, acc); // (N,K) = (M,N)^T·(M,K)
    } else {
      if (da) product(p, 'NT', da, a0, b, b0, dout, o0, null, K, M, N, acc); // (K,M) = (K,N)·(M,N)^T
      if (db) product(p, 'NN', db, b0, a, a0, dout, o0, null, K, N, M, acc); // (K,N) = (K,M)·(M,N)
    }
  }
  if (dbias) biasBackward(p, dbias, dout, batch * M, N);
}

/** dbias (N) = store(sum over the R rows of dout (R,N), ascending, in f32). */
export function biasBackward(p: Precision, dbias: Buf, dout: Buf, R: number, N: number): void {
  const r = p.round;
  const acc = new Float64Array(N);
  for (let i = 0; i < R; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) acc[j] = r(acc[j] + dout[row + j]);
  }
  for (let j = 0; j < N; j++) dbias[j] = p.store(acc[j]);
}
