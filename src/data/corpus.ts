/**
 * Loading the training text. The app fetches public/tinyshakespeare.txt from its own origin; Node
 * (tests, scripts) passes a reader instead, e.g. (url) => readFile(`public${url}`, 'utf8').
 */
import type { Result } from './types';

export type FetchText = (url: string) => Promise<string>;

export interface CorpusSource {
  /** Reads the text at a URL; default: fetch over HTTP. Throw HttpError for an HTTP status. */
  fetchText?: FetchText;
  /** Default: defaultCorpusUrl(). */
  url?: string;
}

export interface Corpus {
  text: string;
  url: string;
}

export const CORPUS_FILE = 'tinyshakespeare.txt';

/** An HTTP answer other than 2xx, so loadCorpus can name the status. */
export class HttpError extends Error {
  readonly status: number;
  readonly statusText: string;
  constructor(status: number, statusText: string) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
    this.name = 'HttpError';
    this.status = status;
    this.statusText = statusText;
  }
}

/** The corpus URL under the app's base path (Vite's BASE_URL, '/' when not built by Vite). An
 * absolute base is expected: a relative one would resolve against a worker script's folder. */
export function defaultCorpusUrl(): string {
  const base = import.meta.env?.BASE_URL ?? '/';
  return `${base.endsWith('/') ? base : `${base}/`}${CORPUS_FILE}`;
}

export async function fetchTextOverHttp(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new HttpError(response.status, response.statusText);
  return response.text();
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().replace(/[.\s]+$/, '') || 'no reason was given';
}

/** The training text, or a sentence saying why it could not be had and what to do. */
export async function loadCorpus(source: CorpusSource = {}): Promise<Result<Corpus>> {
  const url = source.url ?? defaultCorpusUrl();
  const read = source.fetchText ?? fetchTextOverHttp;
  let text: string;
  try {
    text = await read(url);
  } catch (error) {
    if (error instanceof HttpError) {
      return {
        ok: false,
        message:
          `Could not load the training text from ${url} (HTTP ${error.status}): the server ` +
          `${error.status === 404 ? 'does not have the file' : `answered "${error.statusText || 'error'}"`}. ` +
          `Check that ${CORPUS_FILE} is served next to the app, then reload the page.`,
      };
    }
    return {
      ok: false,
      message: `Could not load the training text from ${url}: ${reasonOf(error)}. Check the connection and reload the page.`,
    };
  }
  if (typeof text !== 'string' || text.length === 0) {
    return {
      ok: false,
      message: `The training text from ${url} is empty; check that the file on the server is the whole corpus, then reload.`,
    };
  }
  // A dev server or a host with a single-page fallback answers a missing file with index.html.
  if (/^\s*(<!doctype html|<html)/i.test(text.slice(0, 200))) {
    return {
      ok: false,
      message: `Could not load the training text from ${url}: the server sent a web page instead of the text, so the file is probably missing. Check that ${CORPUS_FILE} is in public/, then reload.`,
    };
  }
  return { ok: true, value: { text, url } };
}
