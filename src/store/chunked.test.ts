import { describe, expect, it } from 'vitest';
import { ChunkedArray } from './chunked';
import { seededRandom } from './testFrames.testutil';

describe('ChunkedArray', () => {
  it('holds what a plain array holds, across chunk boundaries', () => {
    const rand = seededRandom(11);
    const column = new ChunkedArray();
    const plain: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const v = rand() * 1e6 - 5e5;
      column.push(v);
      plain.push(v);
    }
    expect(column.length).toBe(plain.length);
    for (const i of [0, 1, 4095, 4096, 4097, 8191, 8192, 9999]) expect(column.get(i)).toBe(plain[i]);
    expect(Array.from(column.toArray())).toEqual(plain);
    expect(column.last()).toBe(plain[plain.length - 1]);
    expect(column.get(-1)).toBeNaN();
    expect(column.get(10_000)).toBeNaN();
  });

  it('floorIndex agrees with a linear scan on an ascending column with gaps', () => {
    const rand = seededRandom(12);
    const column = new ChunkedArray();
    const steps: number[] = [];
    let s = 0;
    for (let i = 0; i < 5000; i++) {
      s += 1 + Math.floor(rand() * 3);
      column.push(s);
      steps.push(s);
    }
    for (let q = 0; q < 300; q++) {
      const value = Math.floor(rand() * (s + 10)) - 5;
      let expected = -1;
      for (let i = 0; i < steps.length; i++) if (steps[i] <= value) expected = i;
      expect(column.floorIndex(value)).toBe(expected);
    }
  });

  it('keeps bytes and Uint32s in chunks of the size asked, across boundaries and a truncate', () => {
    const rand = seededRandom(13);
    const bytes = new ChunkedArray(Uint8Array, 16);
    const words = new ChunkedArray(Uint32Array, 10); // rounded up to 16
    const plainBytes: number[] = [];
    const plainWords: number[] = [];
    for (let i = 0; i < 100; i++) {
      const w = Math.floor(rand() * 2 ** 32);
      bytes.push(w % 256);
      words.push(w);
      plainBytes.push(w % 256);
      plainWords.push(w);
    }
    expect(Array.from(bytes.toArray())).toEqual(plainBytes);
    expect(Array.from(words.toArray())).toEqual(plainWords);
    bytes.truncate(33);
    bytes.push(7);
    expect(bytes.length).toBe(34);
    expect(Array.from(bytes.toArray())).toEqual([...plainBytes.slice(0, 33), 7]);
  });
});
