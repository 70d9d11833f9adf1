// The graph request's parameters as upstream's policy engine reads them (graph-api §3–4): mandatory `channel`,
// optional `arch` (default amd64), form decoding, last value wins, unknown keys ignored.
import { UpstreamError } from '../errors/index.js';
import { ARCH_PATTERN, ARCH_RE, CHANNEL_PATTERN, CHANNEL_RE } from './validate.js';

export const DEFAULT_ARCH = 'amd64';

export interface GraphRequest {
  channel: string;
  arch: string;
}

/**
 * Answers by query string: each cluster polls with the same string (its channel, arch, version and id) every few
 * minutes, so parsing once per distinct string saves the form decoding on nearly every request. Answers are frozen
 * (errors are immutable), so sharing them is safe.
 */
const answers = new Map<string, GraphRequest | UpstreamError>();
const ANSWERS_LIMIT = 10_000;

/** Validates the raw query string (without "?"); throws UpstreamError missing_params / invalid_params. */
export function parseGraphQuery(query: string): GraphRequest {
  let answer = answers.get(query);
  if (answer === undefined) {
    try {
      answer = Object.freeze(parseUncached(query));
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      answer = err;
    }
    if (answers.size >= ANSWERS_LIMIT) answers.clear();
    answers.set(query, answer);
  }
  if (answer instanceof UpstreamError) throw answer;
  return answer;
}

function parseUncached(query: string): GraphRequest {
  const params = new URLSearchParams(query);
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
