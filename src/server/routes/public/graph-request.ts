// HTTP details of a graph request: Accept by whole value as upstream compares it, Accept-Encoding, If-None-Match.
import type { IncomingMessage } from 'node:http';

export const MEDIA_JSON = 'application/json';
export const MEDIA_VND = 'application/vnd.redhat.cincinnati.v1+json';
export type GraphMediaType = typeof MEDIA_JSON | typeof MEDIA_VND;

/** graph-api §5: whole-value, byte-exact comparison; no Accept grammar, no q-values. */
const ACCEPTED: ReadonlyMap<string, GraphMediaType> = new Map([
  [MEDIA_JSON, MEDIA_JSON],
  [MEDIA_VND, MEDIA_VND],
  ['*', MEDIA_JSON],
  ['*/*', MEDIA_JSON],
  ['application/*', MEDIA_JSON],
]);

/** Node joins repeated Accept headers with ", "; upstream reads only the first header, so look at the raw list. */
export function firstAccept(raw: IncomingMessage): string | undefined {
  const joined = raw.headers.accept;
  if (joined === undefined || !joined.includes(',')) return joined;
  const h = raw.rawHeaders;
  for (let i = 0; i < h.length; i += 2) if (h[i]!.toLowerCase() === 'accept') return h[i + 1];
  return joined;
}

/** The response media type, or null for 406. An absent header means the versioned type. */
export function negotiateGraphType(accept: string | undefined): GraphMediaType | null {
  if (accept === undefined) return MEDIA_VND;
  return ACCEPTED.get(accept) ?? null;
}

/** Whether Accept-Encoding admits gzip (explicitly, as x-gzip, or through `*`), honouring q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  if (header === 'gzip') return true; // what Go's transport sends: skip the parse on the hot path
  let star = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (coding === 'gzip' || coding === 'x-gzip') return q > 0;
    if (coding === '*') star = q > 0;
  }
  return star;
}

/** If-None-Match against one strong tag; weak comparison as RFC 9110 §13.1.2 prescribes. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  for (const item of ifNoneMatch.split(',')) {
    const tag = item.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}
