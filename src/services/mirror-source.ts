// Where `kus mirror --from` reads the upstream graph: a URL (asked for the channel and arch, like a cluster asks) or
// a saved JSON file (air-gapped sites carry it in).
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import { upstreamGet, upstreamTransport, type UpstreamOptions } from './upstream-http.js';

/** Served graphs of a whole OpenShift minor line are a few MB; anything far bigger is not one. */
const MAX_GRAPH_BYTES = 256 * 1024 * 1024;

export interface ServedDocument {
  document: unknown;
  /** The URL as asked (with channel and arch) or the file path. */
  source: string;
}

export const isUrl = (from: string): boolean => /^https?:\/\//i.test(from);

/** The URL a cluster would ask: `channel` and `arch` are added unless the URL sets them (then they must agree). */
export function graphUrl(from: string, channel: string, arch: string): URL {
  let url: URL;
  try {
    url = new URL(from);
  } catch (err) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `--from ${quote(from)} is not a URL`, { from }, { cause: err });
  }
  for (const [key, value] of [['channel', channel], ['arch', arch]] as const) {
    const given = url.searchParams.get(key);
    if (given === null) url.searchParams.set(key, value);
    else if (given !== value) {
      throw new KusError('KUS_ERR_BAD_REQUEST', `--from ${quote(from)} asks for ${key}=${given}, but --${key} is ${quote(value)}`, { from });
    }
  }
  return url;
}

function parse(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KusError('KUS_ERR_RAW_GRAPH', `${quote(source)} is not JSON: ${(err as Error).message}`, { source }, { cause: err });
  }
}

export async function readServedGraph(from: string, query: { channel: string; arch: string }, options: UpstreamOptions = {}): Promise<ServedDocument> {
  if (!isUrl(from)) {
    let text: string;
    try {
      text = readFileSync(from, 'utf8');
    } catch (err) {
      throw new KusError('KUS_ERR_IO', `cannot read ${quote(from)}: ${(err as Error).message}`, { file: from }, { cause: err });
    }
    return { document: parse(text, from), source: from };
  }
  const url = graphUrl(from, query.channel, query.arch);
  const answer = await upstreamGet(upstreamTransport(options), url, { accept: 'application/json' }, (s) => s === 200, MAX_GRAPH_BYTES);
  return { document: parse(answer.body.toString('utf8'), url.href), source: url.href };
}
