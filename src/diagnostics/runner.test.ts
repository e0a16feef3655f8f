import { describe, expect, it } from 'vitest';
import { runSuites, selectSuites, summarize } from './runner';
import type { NamedSuite, Progress, SelfTestResult } from './types';

const ok = (name: string): SelfTestResult => ({ name, pass: true, detail: 'fine', ms: 1 });
const bad = (name: string): SelfTestResult => ({ name, pass: false, detail: 'differs', ms: 2 });
const suite = (id: string, run: () => Promise<unknown>): NamedSuite => ({
  id,
  name: id.toUpperCase(),
  run: run as NamedSuite['run'],
});

describe('runSuites', () => {
  it('runs suites one after another and reports progress i of n', async () => {
    const order: string[] = [];
    let running = 0;
    const slow = (id: string) =>
      suite(id, async () => {
        running++;
        expect(running).toBe(1);
        order.push(`${id} start`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`${id} end`);
        running--;
        return [ok(`${id} check`)];
      });
    const events: Progress[] = [];
    const reports = await runSuites([slow('a'), slow('b')], (p) => events.push(p));
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(events.map((e) => e.type)).toEqual([
      'suite-start',
      'suite-done',
      'suite-start',
      'suite-done',
    ]);
    expect(events[2]).toMatchObject({ index: 1, total: 2, id: 'b', name: 'B' });
    expect(reports.map((r) => r.results.map((c) => `${c.suite}/${c.name}`))).toEqual([
      ['A/a check'],
      ['B/b check'],
    ]);
  });

  it('turns a thrown suite into a failed check with its message and keeps going', async () => {
    const reports = await runSuites([
      suite('boom', () => Promise.reject(new Error('kernel exploded'))),
      suite('fine', async () => [ok('x')]),
    ]);
    expect(reports[0].results).toHaveLength(1);
    expect(reports[0].results[0].pass).toBe(false);
    expect(reports[0].results[0].detail).toContain('kernel exploded');
    expect(reports[1].results[0].pass).toBe(true);
  });

  it('fails a suite that returns no checks or not a list', async () => {
    const reports = await runSuites([
      suite('empty', async () => []),
      suite('odd', async () => 'yes'),
    ]);
    expect(reports.map((r) => r.results.map((c) => c.pass))).toEqual([[false], [false]]);
    expect(reports[1].results[0].detail).toContain('string');
  });

  it('works with zero suites', async () => {
    expect(await runSuites([])).toEqual([]);
    expect(summarize([]).line).toBe('No checks ran');
  });
});

describe('selectSuites', () => {
  const all = ['conversion', 'engine', 'matmul'].map((id) => suite(id, async () => []));
  it('keeps the runner order and matches ids or names in any case', () => {
    expect(selectSuites(all, ['MATMUL', 'conversion']).map((s) => s.id)).toEqual([
      'conversion',
      'matmul',
    ]);
    expect(selectSuites(all, []).length).toBe(3);
  });
  it('names unknown suites and the known ids', () => {
    expect(() => selectSuites(all, ['engine', 'moe'])).toThrow(
      /"moe".*Known: conversion, engine, matmul/,
    );
  });
});

describe('summarize', () => {
  const report = (name: string, results: SelfTestResult[]) => ({
    id: name,
    name,
    ms: 3,
    results: results.map((r) => ({ ...r, suite: name })),
  });
  it('says all pass and trusts the GPU', () => {
    const s = summarize([report('A', [ok('1'), ok('2')]), report('B', [ok('3')])]);
    expect(s).toMatchObject({ total: 3, failed: 0, line: 'All 3 checks pass' });
    expect(s.verdict).toMatch(/can be trusted/);
  });
  it('counts failures and names them by suite', () => {
    const s = summarize([
      report('A', [ok('1'), bad('encode fp16')]),
      report('B', [bad('matmul fwd')]),
    ]);
    expect(s).toMatchObject({ total: 3, failed: 2, line: '2 of 3 checks fail' });
    expect(s.verdict).toMatch(/Don't trust the lab's numbers on this GPU/);
    expect(s.verdict).not.toMatch(/did not compile/);
    expect(s.verdict).toContain('A: encode fp16');
    expect(s.verdict).toContain('B: matmul fwd');
  });
  it('says when failures are kernels that did not compile', () => {
    const s = summarize([
      report('A', [
        { ...bad('gelu'), detail: 'threw: The GPU rejected "gelu" (compilation error): line 3' },
      ]),
    ]);
    expect(s.verdict).toMatch(/1 check failed because a kernel did not compile here/);
  });
  it('explains a missing device instead of listing every suite', () => {
    const s = summarize([
      report('A', [
        { name: 'acquire a WebGPU device', pass: false, detail: 'No WebGPU here.', ms: 0 },
      ]),
    ]);
    expect(s.verdict).toBe('The GPU checks could not run: No WebGPU here.');
  });
  it('mentions skipped checks', () => {
    const s = summarize([report('A', [ok('1'), { ...ok('2'), skipped: true }])]);
    expect(s.skipped).toBe(1);
    expect(s.verdict).toMatch(/1 check skipped/);
  });
});
