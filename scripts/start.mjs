// `npm start`: builds the lab (production React, the strict Content-Security-Policy of the build)
// and serves it, printing the address to open in Chrome. `npm run dev` serves the sources with
// hot reload instead, for working on the lab.
import { build, preview } from 'vite';

await build({ logLevel: 'warn' });
const server = await preview({ preview: { port: Number(process.env.PORT ?? 5173) } });
const url = server.resolvedUrls?.local[0] ?? `http://localhost:${server.config.preview.port}/`;
console.log(`\n  Precision Lab is running. Open ${url} in Chrome (113 or newer, WebGPU enabled).\n  Press Ctrl+C to stop.\n`);
