import { describe, expect, it } from 'vitest';
import { readParams, writeParams, type UrlParam } from './urlParams';

interface S {
  n: number;
  tags: string[];
}

const TABLE: UrlParam<S>[] = [
  {
    name: 'n',
    parse: ([t]) => (/^\d+$/.test(t) ? { ok: true, value: { n: Number(t) } } : { ok: false, message: `“${t}” is not a count` }),
    serialize: (s) => [String(s.n)],
    defaultText: () => ['3'],
  },
  {
    name: 'tag',
    multiple: true,
    parse: (ts) => ({ ok: true, value: { tags: ts } }),
    serialize: (s) => s.tags,
    defaultText: () => [],
  },
];
const BASE: S = { n: 3, tags: [] };

describe('URL-state table', () => {
  it('reads every row, repeated parameters in order', () => {
    const r = readParams(TABLE, '?n=5&tag=a&tag=b,c', BASE);
    expect(r.state).toEqual({ n: 5, tags: ['a', 'b,c'] });
    expect(r.notices).toEqual([]);
  });

  it('ignores a malformed value and an unknown parameter, naming each, and keeps the rest', () => {
    const r = readParams(TABLE, '?n=<b>x</b>&tag=ok&zzz=1&view=formats', BASE, ['view']);
    expect(r.state).toEqual({ n: 3, tags: ['ok'] });
    expect(r.notices).toHaveLength(2);
    expect(r.notices[0]).toContain('n: “<b>x</b>” is not a count');
    expect(r.notices[1]).toContain('“zzz”');
  });

  it('writes only what differs from the default and keeps other parameters', () => {
    expect(writeParams(TABLE, { n: 3, tags: [] }, '?view=lab')).toBe('?view=lab');
    expect(writeParams(TABLE, { n: 4, tags: ['x', 'y'] }, '?view=lab&n=9')).toBe('?view=lab&n=4&tag=x&tag=y');
  });

  it('round-trips: what it writes it reads back', () => {
    const s: S = { n: 12, tags: ['a b', 'c,d', 'é'] };
    const search = writeParams(TABLE, s, '');
    expect(readParams(TABLE, search, BASE)).toEqual({ state: s, notices: [] });
  });
});
