/**
 * Shapes shared by the diagnostics runner, the Diagnostics page and `npm run diagnose`. Everything
 * here is plain JSON so it crosses page.evaluate and the clipboard unchanged.
 */
import type { SelfTestResult } from '../gpu/selftest/conversion';

export type { SelfTestResult };

/** A self-test suite: src/model/selftest/*.ts export one as `suite`. */
export interface Suite {
  name: string;
  run(): Promise<SelfTestResult[]>;
}

/** A suite the runner knows, with the short id a URL or `--suites` names it by. */
export interface NamedSuite extends Suite {
  /** 'conversion', 'engine', or a model suite's file name without .ts ('matmul'). */
  id: string;
}

/** One check in a report, tagged with its suite. */
export interface CheckResult extends SelfTestResult {
  suite: string;
}

export interface SuiteReport {
  id: string;
  name: string;
  results: CheckResult[];
  /** Wall time of the whole suite, ms. */
  ms: number;
}

export type Progress =
  | { type: 'findings-start' }
  | { type: 'findings-done'; findings: Findings }
  | { type: 'suite-start'; index: number; total: number; id: string; name: string }
  | { type: 'suite-done'; index: number; total: number; report: SuiteReport };

/** What the device's own f32 arithmetic does where WGSL leaves it free (DESIGN.md §2). */
export interface Findings {
  /** Null when the device could not be measured (no WebGPU, probe failed); `error` says why. */
  subnormals: {
    /** A subnormal result (2^-126 * 0.5) comes out as zero. */
    flushesResults: boolean;
    /** A subnormal operand is treated as zero. */
    flushesInputs: boolean;
  } | null;
  rounding: {
    /** Random pairs tried; the exact result is computed in double and rounded once to f32. */
    samples: number;
    mulNearest: number;
    addNearest: number;
    mulTruncated: number;
    addTruncated: number;
    mulRoundsToNearest: boolean;
    addRoundsToNearest: boolean;
  } | null;
  subgroup: {
    /** The adapter's reported range; null when it does not say. */
    reportedMin: number | null;
    reportedMax: number | null;
    /** Sizes seen by a kernel reading @builtin(subgroup_size); empty without the feature. */
    measured: number[];
    feature: boolean;
  } | null;
  /** Sentences for a teacher, one per finding, in the order above. */
  explanations: {
    topic: 'subnormals' | 'rounding' | 'subgroup';
    headline: string;
    meaning: string;
  }[];
  /** Why a measurement is missing, when one is. */
  error?: string;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  /** A software (CPU) adapter: the fallback flag, or a known software name such as SwiftShader. */
  fallback: boolean;
  description: string;
}

export interface Summary {
  total: number;
  failed: number;
  skipped: number;
  /** "All 42 checks pass" / "3 of 42 checks fail". */
  line: string;
  /** A plain verdict: can the numbers be trusted, or what is wrong. */
  verdict: string;
}

/** The JSON of `npm run diagnose --json` and of the page's "Copy report as JSON". */
export interface DiagnosticsReport {
  adapter: AdapterSummary | null;
  checks: {
    suite: string;
    name: string;
    pass: boolean;
    detail: string;
    ms: number;
    skipped?: boolean;
  }[];
  findings: Findings;
  summary: Summary;
  suites: { id: string; name: string; checks: number; failed: number; ms: number }[];
  /** ISO time the run finished; total wall time in ms. */
  finishedAt: string;
  ms: number;
}
