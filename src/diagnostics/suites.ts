/**
 * Every self-test suite the app has: the GPU engine's (conversion, engine) and each module in
 * src/model/selftest/ that exports `suite = { name, run }`, found by Vite's import.meta.glob so a
 * new suite file needs no registration here. There may be none.
 */
import { runConversionSelfTests } from '../gpu/selftest/conversion';
import { runEngineSelfTests } from '../gpu/selftest/engine';
import type { NamedSuite, Suite } from './types';

const modelModules = import.meta.glob(['../model/selftest/*.ts', '!../model/selftest/*.test.ts']);

const builtIn: NamedSuite[] = [
  { id: 'conversion', name: 'Conversions', run: () => runConversionSelfTests() },
  { id: 'engine', name: 'Engine', run: () => runEngineSelfTests() },
];

const idOf = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(/\.ts$/, '');

/** A stand-in whose run() throws `message`, so a broken suite file shows up as a failed check. */
function broken(id: string, message: string): NamedSuite {
  return {
    id,
    name: id,
    run: () => Promise.reject(new Error(message)),
  };
}

function isSuite(value: unknown): value is Suite {
  const s = value as Suite | undefined;
  return (
    typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.run === 'function'
  );
}

/**
 * Loads the model suites (modules without a `suite` export are helpers and are left out) and
 * returns every suite in run order: conversion, engine, then the model suites by file name.
 */
export async function collectSuites(
  modules: Record<string, () => Promise<unknown>> = modelModules,
): Promise<NamedSuite[]> {
  const paths = Object.keys(modules).sort();
  const found = await Promise.all(
    paths.map(async (path): Promise<NamedSuite | null> => {
      const id = idOf(path);
      let mod: Record<string, unknown>;
      try {
        mod = (await modules[path]()) as Record<string, unknown>;
      } catch (err) {
        return broken(
          id,
          `src/model/selftest/${id}.ts could not be loaded: ${(err as Error).message}`,
        );
      }
      if (!('suite' in mod)) return null;
      if (!isSuite(mod.suite)) {
        return broken(
          id,
          `src/model/selftest/${id}.ts exports \`suite\` but not as { name: string, run(): Promise<SelfTestResult[]> }.`,
        );
      }
      const suite = mod.suite;
      return { id, name: suite.name, run: () => suite.run() };
    }),
  );
  return [...builtIn, ...found.filter((s): s is NamedSuite => s !== null)];
}
