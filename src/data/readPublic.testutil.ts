/**
 * Node-only stand-in for fetch in tests: reads a file under public/ by its app URL
 * ('/tinyshakespeare.txt'). The module name goes through a variable because the app's type
 * program has no Node types (adding them would retype timers for the whole app).
 */
type ReadFile = (path: URL, encoding: 'utf8') => Promise<string>;
const FS_MODULE = 'node:fs/promises';

export async function readPublic(url: string): Promise<string> {
  const { readFile } = (await import(/* @vite-ignore */ FS_MODULE)) as { readFile: ReadFile };
  return readFile(new URL(`../../public${url}`, import.meta.url), 'utf8');
}
