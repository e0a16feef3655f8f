/**
 * A chart as a file: its SVG serialised on its own (styles are presentation attributes, so the
 * file needs no stylesheet), with a header line holding the title and the lanes' colours; PNG by
 * drawing that SVG onto a canvas at twice the size. Elements marked data-export="skip" (the
 * pointer overlay) are left out.
 */
export interface ExportLegend {
  label: string;
  colour: string;
}

const NS = 'http://www.w3.org/2000/svg';
const HEADER = 26;

/** One drawn SVG of the chart and where it sits in the chart's box (a chart may have panels). */
export interface ExportPart {
  svg: SVGSVGElement;
  x: number;
  y: number;
  /** Caption drawn above it (a panel's title). */
  caption?: string;
}

const CAPTION = 16;

export function chartSvgText(parts: readonly ExportPart[], title: string, legend: readonly ExportLegend[]): { text: string; width: number; height: number } {
  const size = (svg: SVGSVGElement, attr: 'width' | 'height') => Number(svg.getAttribute(attr)) || 0;
  const captioned = parts.some((p) => p.caption);
  const top = HEADER + (captioned ? CAPTION : 0);
  const width = Math.max(...parts.map((p) => p.x + size(p.svg, 'width')), 300);
  const height = Math.max(...parts.map((p) => p.y + size(p.svg, 'height'))) + top;
  const doc = document.implementation.createDocument(NS, 'svg', null);
  const root = doc.documentElement as unknown as SVGSVGElement;
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('font-family', 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif');
  const el = (name: string, attrs: Record<string, string | number>, text?: string): Element => {
    const e = doc.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  root.appendChild(el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  root.appendChild(el('text', { x: 8, y: 17, 'font-size': 13, 'font-weight': 700, fill: '#1d2430' }, title));
  let x = 8 + title.length * 7.5 + 16;
  for (const item of legend) {
    root.appendChild(el('rect', { x, y: 8, width: 10, height: 10, rx: 2, fill: item.colour }));
    root.appendChild(el('text', { x: x + 14, y: 17, 'font-size': 11, fill: '#1d2430' }, item.label));
    x += 14 + item.label.length * 6.2 + 14;
  }
  for (const part of parts) {
    if (part.caption) root.appendChild(el('text', { x: part.x + 4, y: top + part.y - 4, 'font-size': 11, 'font-weight': 600, fill: '#1d2430' }, part.caption));
    const body = el('g', { transform: `translate(${part.x}, ${top + part.y})` });
    const clone = part.svg.cloneNode(true) as SVGSVGElement;
    clone.querySelectorAll('[data-export="skip"]').forEach((n) => n.remove());
    for (const child of Array.from(clone.childNodes)) body.appendChild(doc.importNode(child, true));
    root.appendChild(body);
  }
  return { text: new XMLSerializer().serializeToString(root), width, height };
}

export async function svgTextToPng(text: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gave no 2D canvas to draw the PNG on.');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The canvas could not be encoded as PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
