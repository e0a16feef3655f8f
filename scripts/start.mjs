// `npm start`: serves the lab and prints the address to open in Chrome.
import { createServer } from 'vite';

const server = await createServer({ server: { port: Number(process.env.PORT ?? 5173) } });
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://localhost:${server.config.server.port}/`;
console.log(`\n  Precision Lab is running. Open ${url} in Chrome (113 or newer, WebGPU enabled).\n  Press Ctrl+C to stop.\n`);
