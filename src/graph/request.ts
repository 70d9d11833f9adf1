// The graph request's parameters as upstream's policy engine reads them (graph-api §3–4): mandatory `channel`,
// optional `arch` (default amd64), form decoding, last value wins, unknown keys ignored.
import { UpstreamError } from '../errors/index.js';
import { ARCH_PATTERN, ARCH_RE, CHANNEL_PATTERN, CHANNEL_RE } from './validate.js';

export const DEFAULT_ARCH = 'amd64';

export interface GraphRequest {
  channel: string;
  arch: string;
}

/** Validates the raw query string (without "?"); throws UpstreamError missing_params / invalid_params. */
export function parseGraphQuery(query: string): GraphRequest {
  return parseGraphParams(new URLSearchParams(query));
}

/** parseGraphQuery on a query already decoded (a caller that reads more of it decodes it once). */
export function parseGraphParams(params: URLSearchParams): GraphRequest {
  if (!params.has('channel')) throw new UpstreamError('missing_params', 'channel');
  return validateGraphRequest(params.getAll('channel').at(-1)!, params.has('arch') ? params.getAll('arch').at(-1)! : undefined);
}

export function validateGraphRequest(channel: string, arch: string | undefined): GraphRequest {
  if (!CHANNEL_RE.test(channel)) {
    throw new UpstreamError('invalid_params', `channel '${channel}' does not match regex '${CHANNEL_PATTERN}'`);
  }
  if (arch !== undefined && !ARCH_RE.test(arch)) {
    throw new UpstreamError('invalid_params', `arch '${arch}' does not match regex '${ARCH_PATTERN}'`);
  }
  return { channel, arch: arch ?? DEFAULT_ARCH };
}
