import { describe, expect, it } from 'vitest';
import { formatBytes } from './memory';
import { parseNumber, parseParamCount } from './parseInput';

describe('parseNumber', () => {
  it.each([
    ['65520', 65520],
    ['1e-40', 1e-40],
    [' -2.5E3 ', -2500],
    ['.5', 0.5],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['+INF', Infinity],
  ])('reads %s', (text, value) => {
    expect(parseNumber(text)).toMatchObject({ ok: true, value });
  });
  it('keeps the sign of zero and reads nan', () => {
    const z = parseNumber('-0');
    expect(z.ok && Object.is(z.value, -0)).toBe(true);
    const n = parseNumber('NaN');
    expect(n.ok && Number.isNaN(n.value)).toBe(true);
  });
  it.each(['abc', '1/3', '1e', '--1', '', '0x3C00'])('rejects %j with a sentence', (text) => {
    const r = parseNumber(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(20);
  });
  it('says when a double cannot hold the number', () => {
    expect(parseNumber('1e400')).toMatchObject({
      ok: true,
      value: Infinity,
      note: expect.stringContaining('largest double'),
    });
    expect(parseNumber('1e-400')).toMatchObject({
      ok: true,
      value: 0,
      note: expect.stringContaining('smallest double'),
    });
  });
});

describe('parseParamCount', () => {
  it.each([
    ['500e9', 5e11],
    ['500B', 5e11],
    ['7b', 7e9],
    ['125M', 1.25e8],
    ['1.5T', 1.5e12],
    ['350,000', 350000],
  ])('reads %s', (text, value) => {
    expect(parseParamCount(text)).toMatchObject({ ok: true, value });
  });
  it.each(['lots', '0', '0.2', '7Q', '1e16'])('rejects %j', (text) => {
    expect(parseParamCount(text).ok).toBe(false);
  });
});

describe('formatBytes (decimal units)', () => {
  it.each([
    [500e9 * 4, '2.0 TB'],
    [7e9 * 16, '112 GB'],
    [7e9 * 2, '14.0 GB'],
    [1.25e8 * 12, '1.5 GB'],
    [999.6e9, '1.0 TB'],
    [512, '512 B'],
  ])('%d bytes -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
