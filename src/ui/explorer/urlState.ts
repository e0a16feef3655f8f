/** The Formats page's state in the URL: ?x=65520&f=fp16,bf16&n=500e9. One table says how each
 * parameter is read and written; a value that does not read is ignored and named in a notice. */
import { FORMAT_NAMES, isFormatName, type FormatName } from '../../numerics';
import { parseNumber, parseParamCount, type Parsed } from './parseInput';

export interface ExplorerState {
  /** The typed value, as typed. */
  xText: string;
  /** Formats shown, in FORMAT_NAMES order, never empty. */
  formats: FormatName[];
  /** The parameter count, as typed. */
  nText: string;
}

export const EXPLORER_DEFAULTS: ExplorerState = {
  xText: '0.1',
  formats: ['fp32', 'fp16', 'bf16'],
  nText: '7B',
};

interface UrlParam<K extends keyof ExplorerState> {
  name: string;
  field: K;
  read(raw: string): Parsed<ExplorerState[K]>;
  /** Text for the URL, or null to leave the parameter as it is (the value does not read yet). */
  write(value: ExplorerState[K]): string | null;
}

function readFormats(raw: string): Parsed<FormatName[]> {
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !isFormatName(n));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `“${clip(unknown.join(','))}” is not a format (known: ${FORMAT_NAMES.join(', ')})`,
    };
  }
  if (names.length === 0) return { ok: false, message: 'it names no format' };
  return { ok: true, value: FORMAT_NAMES.filter((n) => names.includes(n)) };
}

const PARAMS: [UrlParam<'xText'>, UrlParam<'formats'>, UrlParam<'nText'>] = [
  {
    name: 'x',
    field: 'xText',
    read: (raw) =>
      parseNumber(raw).ok
        ? { ok: true, value: raw.trim() }
        : { ok: false, message: `“${clip(raw)}” is not a number` },
    write: (v) => (parseNumber(v).ok ? v.trim() : null),
  },
  { name: 'f', field: 'formats', read: readFormats, write: (v) => v.join(',') },
  {
    name: 'n',
    field: 'nText',
    read: (raw) =>
      parseParamCount(raw).ok
        ? { ok: true, value: raw.trim() }
        : { ok: false, message: `“${clip(raw)}” is not a parameter count` },
    write: (v) => (parseParamCount(v).ok ? v.trim() : null),
  },
];

/** Long garbage in a URL stays readable in the notice. */
function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

export function readExplorerUrl(search: string): { state: ExplorerState; notices: string[] } {
  const params = new URLSearchParams(search);
  const state: ExplorerState = { ...EXPLORER_DEFAULTS };
  const notices: string[] = [];
  const apply = <K extends keyof ExplorerState>(p: UrlParam<K>) => {
    const raw = params.get(p.name);
    if (raw === null) return;
    const r = p.read(raw);
    if (r.ok) state[p.field] = r.value;
    else
      notices.push(
        `The link's parameter ${p.name}: ${r.message}; it was ignored and the default is shown.`,
      );
  };
  PARAMS.forEach((p) => apply(p as UrlParam<keyof ExplorerState>));
  return { state, notices };
}

/** Puts the state into the current URL without adding a history entry; other parameters stay. */
export function writeExplorerUrl(state: ExplorerState): void {
  const url = new URL(window.location.href);
  const put = <K extends keyof ExplorerState>(p: UrlParam<K>) => {
    const text = p.write(state[p.field]);
    if (text !== null) url.searchParams.set(p.name, text);
  };
  PARAMS.forEach((p) => put(p as UrlParam<keyof ExplorerState>));
  // Commas are legal in a query; keeping them unescaped keeps f=fp16,bf16 readable.
  url.search = url.search.replace(/%2C/gi, ',');
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
}
