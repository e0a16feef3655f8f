import { describe, expect, it } from 'vitest';
import { explainFindings } from './explain';
import { buildReport, formatReport } from './report';
import { summarize } from './runner';
import type { Findings, SuiteReport } from './types';

const base = {
  subnormals: { flushesResults: true, flushesInputs: false },
  rounding: null,
  subgroup: null,
};
const findings: Findings = { ...base, explanations: explainFindings(base) };
const suites: SuiteReport[] = [
  {
    id: 'conversion',
    name: 'Conversions',
    ms: 1500,
    results: [
      { suite: 'Conversions', name: 'encode fp16', pass: true, detail: '0 differ', ms: 12 },
      {
        suite: 'Conversions',
        name: 'subgroup counts',
        pass: true,
        skipped: true,
        detail: 'skipped',
        ms: 0,
      },
    ],
  },
  {
    id: 'matmul',
    name: 'Matmul',
    ms: 40,
    results: [
      { suite: 'Matmul', name: 'forward', pass: false, detail: 'line one\nline two', ms: 40 },
    ],
  },
];

describe('report', () => {
  const adapter = { vendor: 'v', architecture: 'a', fallback: true, description: '' };
  const report = buildReport(adapter, findings, suites, summarize(suites), 1600);

  it('holds every check with its suite, and per-suite counts', () => {
    expect(report.checks.map((c) => `${c.suite}/${c.name}/${c.pass}`)).toEqual([
      'Conversions/encode fp16/true',
      'Conversions/subgroup counts/true',
      'Matmul/forward/false',
    ]);
    expect(report.suites).toEqual([
      { id: 'conversion', name: 'Conversions', checks: 2, failed: 0, ms: 1500 },
      { id: 'matmul', name: 'Matmul', checks: 1, failed: 1, ms: 40 },
    ]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('prints marks, indented details, findings and the summary', () => {
    const text = formatReport(report);
    expect(text).toContain('Conversions (2 checks, 1.5 s)');
    expect(text).toContain('  ✓ encode fp16  (12 ms)');
    expect(text).toContain('  – subgroup counts');
    expect(text).toContain('  ✗ forward  (40 ms)\n      line one\n      line two');
    expect(text).toContain('This device flushes f32 subnormals to zero.');
    expect(text).toContain('1 of 3 checks fails (1.6 s).');
    expect(text).toContain('Software adapter');
  });
});
