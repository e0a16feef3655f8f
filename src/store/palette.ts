/**
 * Lane colours: the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), safe for the
 * common colour-vision deficiencies. Ordered so the first lanes get the colours that read best on
 * white; yellow, the faintest, comes last. One lane, one colour, on every chart and control.
 */
export const LANE_PALETTE = [
  { hex: '#0072b2', name: 'blue' },
  { hex: '#d55e00', name: 'vermillion' },
  { hex: '#009e73', name: 'bluish green' },
  { hex: '#cc79a7', name: 'reddish purple' },
  { hex: '#e69f00', name: 'orange' },
  { hex: '#56b4e9', name: 'sky blue' },
  { hex: '#000000', name: 'black' },
  { hex: '#f0e442', name: 'yellow' },
] as const;

export type LaneColour = string;

export const isHexColour = (s: string): boolean => /^#[0-9a-f]{6}$/i.test(s);

/** The first palette colour no lane uses yet (the palette wraps when all are taken). */
export function nextColour(used: readonly string[]): LaneColour {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  const free = LANE_PALETTE.find((c) => !taken.has(c.hex));
  return (free ?? LANE_PALETTE[used.length % LANE_PALETTE.length]).hex;
}

/** Palette colours for n lanes in order. */
export const defaultColours = (n: number): LaneColour[] =>
  Array.from({ length: n }, (_, i) => LANE_PALETTE[i % LANE_PALETTE.length].hex);

export const colourName = (hex: string): string =>
  LANE_PALETTE.find((c) => c.hex === hex.toLowerCase())?.name ?? hex;
