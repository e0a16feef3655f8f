/** Bytes of training state per parameter, by recipe (DESIGN.md §2), and how they are written. */

export type MemoryCategory = 'weights' | 'gradients' | 'optimizer' | 'master';

export interface RecipeMemory {
  recipe: string;
  /** What the row stores, in a few words. */
  summary: string;
  /** Bytes per parameter in each category. */
  bytes: Record<MemoryCategory, number>;
}

/**
 * Bytes per parameter as this lab stores them. Low-precision recipes keep weights and gradients in
 * 16 bits (2 B); the amp recipes add an f32 master copy (4 B); AdamW's m and v are f32 (2 × 4 B)
 * in every recipe, bf16-pure included. Activations are not counted: they depend on batch and context.
 */
export const RECIPE_MEMORY: readonly RecipeMemory[] = [
  {
    recipe: 'fp32',
    summary: 'f32 weights and grads',
    bytes: { weights: 4, gradients: 4, optimizer: 8, master: 0 },
  },
  {
    recipe: 'fp16-amp',
    summary: 'fp16 weights and grads, f32 master',
    bytes: { weights: 2, gradients: 2, optimizer: 8, master: 4 },
  },
  {
    recipe: 'bf16-amp',
    summary: 'bf16 weights and grads, f32 master',
    bytes: { weights: 2, gradients: 2, optimizer: 8, master: 4 },
  },
  {
    recipe: 'bf16-pure',
    summary: 'bf16 weights and grads, no master',
    bytes: { weights: 2, gradients: 2, optimizer: 8, master: 0 },
  },
];

export const MEMORY_CATEGORIES: readonly { key: MemoryCategory; label: string }[] = [
  { key: 'weights', label: 'weights' },
  { key: 'gradients', label: 'gradients' },
  { key: 'optimizer', label: 'optimizer state (Adam m, v)' },
  { key: 'master', label: 'master copy' },
];

export function bytesPerParameter(r: RecipeMemory): number {
  return MEMORY_CATEGORIES.reduce((sum, c) => sum + r.bytes[c.key], 0);
}

/** Decimal (SI) units: 1 GB = 10^9 B, so 500e9 parameters × 4 B = 2.0 TB. */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** 3 significant digits, at least one decimal below 100: '2.0 TB', '14.0 GB', '112 GB', '—' for 0. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '—';
  let u = 0;
  while (u < UNITS.length - 1 && bytes >= 1000 ** (u + 1) * 0.9995) u++;
  const v = bytes / 1000 ** u;
  if (u === 0) return `${bytes} B`;
  const text =
    v >= 99.95
      ? v.toFixed(0)
      : v >= 9.995
        ? v.toFixed(1)
        : v.toPrecision(3).replace(/(\.\d)0$/, '$1');
  return `${text} ${UNITS[u]}`;
}

/** 7000000000 -> '7 billion', 125e6 -> '125 million', 1234 -> '1,234'. */
export function describeCount(n: number): string {
  const scales: [number, string][] = [
    [1e12, 'trillion'],
    [1e9, 'billion'],
    [1e6, 'million'],
  ];
  for (const [s, name] of scales) {
    if (n >= s) return `${Number((n / s).toPrecision(4))} ${name}`;
  }
  return n.toLocaleString('en-US');
}
