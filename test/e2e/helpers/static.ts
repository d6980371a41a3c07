import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css',
};

export interface StaticServer {
  /** `http://localhost:<port>` — localhost, so the page is a secure context whose RP ID can be "localhost". */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A tiny static file server on 127.0.0.1, port 0: `pages` are served from memory (path → body),
 * anything else from `dir`. No caching, GET/HEAD only.
 */
export async function startStaticServer(dir: string, pages: Record<string, string> = {}): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    try {
      let body: string | Buffer;
      if (path in pages) body = pages[path]!;
      else {
        const file = normalize(join(dir, path));
        if (!file.startsWith(dir)) throw new Error('outside');
        body = await readFile(file);
      }
      const type = TYPES[extname(path)] ?? (path in pages ? TYPES['.html']! : 'application/octet-stream');
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
