import { afterEach, describe, expect, it, vi } from 'vitest';
import { readPublic } from './readPublic.testutil';
import { HttpError, defaultCorpusUrl, loadCorpus } from './corpus';

const sentence = /^[A-Z].*[.]$/s;

afterEach(() => vi.unstubAllGlobals());

describe('loadCorpus', () => {
  it('reads the bundled corpus through an injected reader at the default URL', async () => {
    const urls: string[] = [];
    const r = await loadCorpus({ fetchText: (url) => (urls.push(url), readPublic(url)) });
    expect(urls).toEqual(['/tinyshakespeare.txt']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.url).toBe('/tinyshakespeare.txt');
    expect(
      r.value.text.startsWith('First Citizen:\nBefore we proceed any further, hear me speak.'),
    ).toBe(true);
    expect(r.value.text.length).toBe(1_115_394);
  });

  it('uses the app base path', () => {
    // Vitest runs under Vite, whose BASE_URL defaults to '/'.
    expect(import.meta.env.BASE_URL).toBe('/');
    expect(defaultCorpusUrl()).toBe('/tinyshakespeare.txt');
  });

  it('fetches over HTTP by default and names the status when the server refuses', async () => {
    const fetchMock = vi.fn(
      async () => new Response('gone', { status: 404, statusText: 'Not Found' }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const r = await loadCorpus();
    expect(fetchMock).toHaveBeenCalledWith('/tinyshakespeare.txt');
    expect(r).toMatchObject({ ok: false });
    if (r.ok) return;
    expect(r.message).toMatch(sentence);
    expect(
      r.message.startsWith(
        'Could not load the training text from /tinyshakespeare.txt (HTTP 404): ',
      ),
    ).toBe(true);

    vi.stubGlobal('fetch', async () => new Response('First Citizen:', { status: 200 }));
    expect(await loadCorpus({ url: '/base/x.txt' })).toEqual({
      ok: true,
      value: { text: 'First Citizen:', url: '/base/x.txt' },
    });

    vi.stubGlobal(
      'fetch',
      async () => new Response('', { status: 503, statusText: 'Service Unavailable' }),
    );
    const busy = await loadCorpus();
    expect(busy.ok ? '' : busy.message).toContain(
      '(HTTP 503): the server answered "Service Unavailable".',
    );
  });

  it('turns reader failures, empty files and HTML fallbacks into sentences', async () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      [
        'missing file',
        () => readPublic('/no-such-file.txt'),
        /^Could not load the training text from \/no-such-file\.txt: ENOENT.*reload the page\.$/s,
      ],
      [
        'network',
        () => Promise.reject(new TypeError('Failed to fetch')),
        /from \/no-such-file\.txt: Failed to fetch\. Check the connection/,
      ],
      [
        'http',
        () => Promise.reject(new HttpError(403, 'Forbidden')),
        /\(HTTP 403\): the server answered "Forbidden"\./,
      ],
      ['empty', async () => '', /^The training text from \/no-such-file\.txt is empty;/],
      [
        'html',
        async () => '<!DOCTYPE html>\n<html><body>app</body></html>',
        /sent a web page instead of the text/,
      ],
      ['thrown string', () => Promise.reject('disk on fire'), /: disk on fire\./],
    ];
    for (const [name, fetchText, pattern] of cases) {
      const r = await loadCorpus({ url: '/no-such-file.txt', fetchText });
      expect(r.ok, name).toBe(false);
      if (r.ok) continue;
      expect(r.message, name).toMatch(sentence);
      expect(r.message, name).toMatch(pattern);
    }
  });
});
