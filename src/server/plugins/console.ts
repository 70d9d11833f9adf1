// The web console: index.html at / and its hashed bundle under /assets/, with a strict Content-Security-Policy.
// Files are read once at start (the bundle is built by `npm run build` into dist/web); nothing is fetched elsewhere.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Scripts and styles from this origin only, no inline code, no plug-ins, no framing; data: for downloads built in-page. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  bytes: Buffer;
}

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

function readBundle(dir: string): { index: Buffer; assets: Map<string, Asset> } | null {
  try {
    const index = readFileSync(path.join(dir, 'index.html'));
    const assets = new Map<string, Asset>();
    for (const name of readdirSync(path.join(dir, 'assets'))) {
      const type = TYPES[path.extname(name)];
      if (type) assets.set(name, { type, bytes: readFileSync(path.join(dir, 'assets', name)) });
    }
    return { index, assets };
  } catch {
    return null;
  }
}

const htmlResponse = { content: { 'text/html': { schema: { type: 'string' } } } } as const;

/** Serves the console from `dir` (dist/web); when it was not built, / says how to build it. */
export function consoleRoutes(dir: string) {
  const bundle = readBundle(dir);
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.get('/', {
      schema: {
        operationId: 'getConsole',
        tags: ['console'],
        summary: 'The web console (graph, releases, paths, what a cluster sees, admin actions)',
        response: {
          200: { description: 'The console page; views are addressed by the URL fragment.', ...htmlResponse },
          503: { description: 'The console bundle was not built (npm run build).', ...htmlResponse },
        },
      },
    }, (_request, reply) => {
      reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
      if (!bundle) return reply.code(503).send('<!doctype html><title>KUS</title><p>The console was not built: run npm run build.</p>');
      return reply.send(bundle.index);
    });

    scope.get<{ Params: { file: string } }>('/assets/:file', {
      schema: {
        operationId: 'getConsoleAsset',
        tags: ['console'],
        summary: 'A console asset; its name carries its content hash, so it is cached for a year',
        params: { type: 'object', required: ['file'], properties: { file: { type: 'string', maxLength: 128 } } },
        response: {
          200: { description: 'The file.', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          404: { description: 'No such asset (empty body).', type: 'null' },
        },
      },
    }, (request, reply) => {
      const asset = bundle?.assets.get(request.params.file);
      if (!asset) return reply.code(404).send();
      return reply
        .headers(SECURITY_HEADERS)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(asset.type)
        .send(asset.bytes);
    });
  };
}
