/**
 * A declarative URL-state table (TensorFlow Playground's habit): each row names a query
 * parameter, how to parse it, how to write it and the value at which it is left out. Reading
 * never throws: a value that does not parse is ignored and named in a notice, as is a parameter
 * no row (and no other page) knows. Notices are plain text.
 */
export type ParseResult<T> = { ok: true; value: T; notices?: string[] } | { ok: false; message: string };

export interface UrlParam<S> {
  /** The query parameter, e.g. 'model'. */
  name: string;
  /** Repeated parameter (?lane=a&lane=b): parse gets every value, serialize returns several. */
  multiple?: boolean;
  /** Reads the raw text(s) into the state; `draft` holds the rows read before this one. */
  parse(raw: string[], draft: S): ParseResult<Partial<S>>;
  /** The text(s) for the URL. */
  serialize(state: S): string[];
  /** The text(s) at which the parameter is left out (it may depend on other rows, e.g. a preset). */
  defaultText(state: S): string[];
}

/** Long garbage stays readable in a notice. */
export function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface ReadResult<S> {
  state: S;
  notices: string[];
}

/**
 * The state a query string describes, starting from `base`. `foreign` names parameters other
 * pages own (view, the Formats page's x, f, n), which pass without a notice.
 */
export function readParams<S>(table: readonly UrlParam<S>[], search: string, base: S, foreign: readonly string[] = []): ReadResult<S> {
  const params = new URLSearchParams(search);
  let state = base;
  const notices: string[] = [];
  for (const row of table) {
    const raw = params.getAll(row.name);
    if (raw.length === 0) continue;
    if (!row.multiple && raw.length > 1) {
      notices.push(`The link gives the parameter ${row.name} ${raw.length} times; the first (“${clip(raw[0])}”) was used.`);
    }
    const result = row.parse(row.multiple ? raw : [raw[0]], state);
    if (result.ok) {
      state = { ...state, ...result.value };
      notices.push(...(result.notices ?? []));
    } else notices.push(`The link's parameter ${row.name}: ${result.message}; it was ignored and the default is used.`);
  }
  const known = new Set([...table.map((r) => r.name), ...foreign]);
  for (const name of new Set(params.keys())) {
    if (!known.has(name)) notices.push(`The link's parameter “${clip(name)}” is not a setting of the lab; it was ignored.`);
  }
  return { state, notices };
}

/** Characters kept readable in the query: URLSearchParams escapes them, but they are legal there. */
const READABLE: [RegExp, string][] = [
  [/%2C/gi, ','],
  [/%3A/gi, ':'],
];

/**
 * The query string for `state`: every row's parameters replaced (left out at their default),
 * other parameters kept as they were, in their order. Returns '' or '?…'.
 */
export function writeParams<S>(table: readonly UrlParam<S>[], state: S, search: string): string {
  const params = new URLSearchParams(search);
  for (const row of table) {
    params.delete(row.name);
    const texts = row.serialize(state);
    const defaults = row.defaultText(state);
    if (texts.length === defaults.length && texts.every((t, i) => t === defaults[i])) continue;
    for (const t of texts) params.append(row.name, t);
  }
  let query = params.toString();
  for (const [re, ch] of READABLE) query = query.replace(re, ch);
  return query ? `?${query}` : '';
}
