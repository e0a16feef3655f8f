/**
 * Content-Security-Policy for the lab: it loads and talks to nothing outside its own origin (the
 * training text is public/tinyshakespeare.txt, the worker and every module come from the app).
 *
 *  - built app: a <meta http-equiv> in index.html (what a static host serves) and the same policy
 *    as a header from `vite preview`; scripts only from 'self', no inline script at all;
 *  - dev server: a header; plugin-react's inline refresh preamble is allowed by its SHA-256 (not
 *    by 'unsafe-inline'), and the HMR websocket is same-origin, which connect-src 'self' covers.
 * Styles keep 'unsafe-inline': the dev server injects CSS as <style> elements, and charts carry
 * style attributes.
 */
import { createHash } from 'node:crypto';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

export type Directives = Record<string, readonly string[]>;

export const BUILD_POLICY: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  // data: and blob: for the charts' PNG export (an SVG blob drawn through an <img>).
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

/** Only a header can say this (a <meta> policy ignores frame-ancestors): no framing. */
const HEADER_ONLY: Directives = { 'frame-ancestors': ["'none'"] };

export function policyText(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** The 'sha256-…' source of an inline script's exact text. */
export function scriptHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The dev server's policy: the build's, plus the hash of the preamble plugin-react inlines. */
export function devPolicy(base: string): Directives {
  const preamble = react.preambleCode.replace('__BASE__', base);
  return { ...BUILD_POLICY, 'script-src': ["'self'", scriptHash(preamble)], ...HEADER_ONLY };
}

export function contentSecurityPolicy(): Plugin[] {
  const header = 'Content-Security-Policy';
  return [
    {
      name: 'precision-lab:csp-headers',
      config: (config) => ({
        // A relative or absent base serves the dev pages from '/'.
        server: { headers: { [header]: policyText(devPolicy(config.base?.startsWith('/') ? config.base : '/')) } },
        preview: { headers: { [header]: policyText({ ...BUILD_POLICY, ...HEADER_ONLY }) } },
      }),
    },
    {
      name: 'precision-lab:csp-meta',
      apply: 'build',
      transformIndexHtml: {
        order: 'post',
        handler: () => [
          { tag: 'meta', attrs: { 'http-equiv': header, content: policyText(BUILD_POLICY) }, injectTo: 'head-prepend' },
        ],
      },
    },
  ];
}
