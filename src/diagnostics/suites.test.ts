import { describe, expect, it } from 'vitest';
import { collectSuites } from './suites';

const result = { name: 'c', pass: true, detail: '', ms: 0 };

describe('collectSuites', () => {
  it('gives the engine suites when there are no model suites', async () => {
    expect((await collectSuites({})).map((s) => s.id)).toEqual(['conversion', 'engine']);
  });

  it('adds model suites by file name, skips helpers, and turns broken files into failing suites', async () => {
    const suites = await collectSuites({
      '../model/selftest/moe.ts': async () => ({
        suite: { name: 'MoE', run: async () => [result] },
      }),
      '../model/selftest/helpers.ts': async () => ({ tolerance: 1e-3 }),
      '../model/selftest/matmul.ts': async () => ({
        suite: { name: 'Matmul', run: async () => [result] },
      }),
      '../model/selftest/broken.ts': async () => {
        throw new Error('Failed to fetch');
      },
      '../model/selftest/odd.ts': async () => ({ suite: { title: 'no run' } }),
    });
    expect(suites.map((s) => `${s.id}:${s.name}`)).toEqual([
      'conversion:Conversions',
      'engine:Engine',
      'broken:broken',
      'matmul:Matmul',
      'moe:MoE',
      'odd:odd',
    ]);
    expect(await suites[3].run()).toEqual([result]);
    await expect(suites[2].run()).rejects.toThrow(
      /broken\.ts could not be loaded: Failed to fetch/,
    );
    await expect(suites[5].run()).rejects.toThrow(/exports `suite` but not as/);
  });
});
