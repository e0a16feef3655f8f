/** The charts of the Lab page, by id (their log-axis toggles live in the URL as log=<ids>). */
export const CHART_IDS = [
  'loss',
  'tokens',
  'norms',
  'events',
  'scale',
  'experts',
  'lost',
  'histogram',
  'memory',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

export const isChartId = (s: string): s is ChartId => (CHART_IDS as readonly string[]).includes(s);
