// Registry authentication: WWW-Authenticate challenges, Basic headers, and bearer tokens cached until they expire.
import type { Credentials } from './docker-config.js';

export interface Challenge {
  /** Lower-cased: `basic` or `bearer` (others are reported, not answered). */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const SPACE = /[ \t]*/y;
const SEPARATORS = /[ \t,]*/y;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/** Quoted string starting at `at` (the opening quote): [value, index after the closing quote]. */
function quotedAt(text: string, at: number): [string, number] {
  let value = '';
  let i = at + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return [value, i + 1];
}

/** Parses a WWW-Authenticate value (RFC 7235), several challenges included: `Basic realm="x", Bearer realm="y",...`. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  while (i < header.length) {
    i += matchAt(SEPARATORS, header, i)!.length;
    const scheme = matchAt(TOKEN, header, i);
    if (scheme === null) break;
    i += scheme.length;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      const start = i;
      i += matchAt(SEPARATORS, header, i)!.length;
      const name = matchAt(TOKEN, header, i);
      if (name === null) break;
      let j = i + name.length;
      j += matchAt(SPACE, header, j)!.length;
      // A token not followed by "=" starts the next challenge.
      if (header[j] !== '=') {
        i = start;
        break;
      }
      j++;
      j += matchAt(SPACE, header, j)!.length;
      let value: string;
      if (header[j] === '"') [value, j] = quotedAt(header, j);
      else {
        value = matchAt(/[^\s,]*/y, header, j)!;
        j += value.length;
      }
      challenge.params[name.toLowerCase()] = value;
      i = j;
    }
  }
  return out;
}

export const basicHeader = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** How a repository wants to be authenticated, learnt from its first challenge and then used up front. */
export type AuthScheme =
  | { kind: 'basic'; realm: string }
  | { kind: 'bearer'; realm: string; service: string | undefined; scope: string };

/** Picks the challenge KUS can answer (Bearer before Basic, as docker does); null when none. */
export function schemeFrom(challenges: Challenge[], defaultScope: string): AuthScheme | null {
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
  if (bearer) {
    return { kind: 'bearer', realm: bearer.params.realm!, service: bearer.params.service, scope: bearer.params.scope ?? defaultScope };
  }
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (basic) return { kind: 'basic', realm: basic.params.realm ?? '' };
  return null;
}

export interface CachedToken {
  token: string;
  /** Epoch milliseconds after which the token is fetched again. */
  expiresAt: number;
}

/** Bearer tokens per (realm, service, scope, user), each kept until shortly before it expires. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(scheme: Extract<AuthScheme, { kind: 'bearer' }>, user: string | null): string {
    return JSON.stringify([scheme.realm, scheme.service ?? '', scheme.scope, user ?? '']);
  }

  get(key: string): string | null {
    const t = this.tokens.get(key);
    if (!t) return null;
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(key);
      return null;
    }
    return t.token;
  }

  /** `expiresIn` seconds as the token service said (60 when it did not, per the distribution spec). */
  set(key: string, token: string, expiresIn: number | undefined): void {
    const seconds = expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 60;
    // Renew a little early so that a token does not expire between being picked and being checked.
    const margin = Math.min(10, seconds / 4);
    this.tokens.set(key, { token, expiresAt: this.now() + (seconds - margin) * 1000 });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }
}
