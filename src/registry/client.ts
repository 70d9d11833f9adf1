// Docker Registry HTTP API v2 / OCI distribution client: auth challenges, redirects, manifests, blobs, tag lists.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { KusError, quote } from '../errors/index.js';
import { basicHeader, parseChallenges, schemeFrom, TokenCache, type AuthScheme } from './auth.js';
import { credentialsFor, type Credentials, type DockerConfig } from './docker-config.js';
import { discard, readBody, readSnippet, send, type Exchange, type Transport } from './http.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { DOCKER_HUB, repositoryName, type Repository } from './pull-spec.js';
import { answerError, authError, badAnswer, describeErrorBody, unreachable } from './registry-error.js';

export interface RegistryOptions {
  /** Pull secret: credentials per registry (see docker-config.ts). */
  auth?: DockerConfig | undefined;
  /** Talk plain HTTP to every registry (for registries without TLS). */
  insecure?: boolean | undefined;
  /** Extra CA certificates (PEM text) trusted besides Node's built-in ones. */
  ca?: string | undefined;
  /** A PEM file read once when the client is made; added to `ca`. */
  caFile?: string | undefined;
  /** Idle time after which a request is abandoned; default 30 s. */
  timeoutMs?: number | undefined;
  /** Tags asked for per page of a tag list (`n`); default 1000. */
  tagPageSize?: number | undefined;
}

export interface FetchedManifest {
  /** `sha256:…` of the bytes, checked against Docker-Content-Digest and against a requested digest. */
  digest: string;
  /** From Content-Type, or from the document's own `mediaType` when the header is generic. */
  mediaType: string;
  bytes: Buffer;
}

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const REDIRECT_LIMIT = 5;
const TAG_PAGE_LIMIT = 10_000;
const DIGEST_REF = /^sha256:[a-f0-9]{64}$/;

export const sha256Digest = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function readCa(options: RegistryOptions): string | undefined {
  const parts = options.ca ? [options.ca] : [];
  if (options.caFile) {
    try {
      parts.push(readFileSync(options.caFile, 'utf8'));
    } catch (err) {
      throw new KusError('KUS_ERR_IO', `cannot read the CA file ${quote(options.caFile)}: ${(err as Error).message}`, { file: options.caFile }, { cause: err });
    }
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** `<url>; rel="next"` of a Link header, resolved against the request URL. */
export function nextLink(header: string | undefined, base: URL): URL | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?/i.test(m[2]!)) return new URL(m[1]!, base);
  }
  return null;
}

export class RegistryClient {
  private readonly transport: Transport;
  private readonly auth: DockerConfig | undefined;
  private readonly insecure: boolean;
  private readonly tagPageSize: number;
  /** How each repository asked to be authenticated, so that later requests answer up front. */
  private readonly schemes = new Map<string, AuthScheme>();
  private readonly tokens = new TokenCache();

  constructor(options: RegistryOptions = {}) {
    this.transport = { ca: readCa(options), timeoutMs: options.timeoutMs ?? 30_000, userAgent: 'kus (kylin-update-service)' };
    this.auth = options.auth;
    this.insecure = options.insecure === true;
    this.tagPageSize = options.tagPageSize ?? 1000;
  }

  /** The API base of a registry; docker.io's API lives at registry-1.docker.io. */
  baseUrl(registry: string): URL {
    const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
    return new URL(`${this.insecure ? 'http' : 'https'}://${host}/`);
  }

  /** The digest a tag points at now (HEAD), or null when the registry sends no Docker-Content-Digest. */
  async manifestDigest(repo: Repository, reference: string): Promise<string | null> {
    const what = `manifest ${quote(reference)}`;
    const res = await this.open(repo, 'HEAD', this.apiUrl(repo, `manifests/${reference}`), MANIFEST_ACCEPT, what);
    discard(res);
    const header = res.headers['docker-content-digest'];
    return typeof header === 'string' && DIGEST_REF.test(header) ? header : null;
  }

  /** GETs a manifest and checks its bytes against the digest the registry states and the one asked for. */
  async manifest(repo: Repository, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${quote(reference)}`;
    const res = await this.open(repo, 'GET', this.apiUrl(repo, `manifests/${reference}`), MANIFEST_ACCEPT, what);
    const bytes = await this.body(repo, what, res, MANIFEST_LIMIT);
    const digest = sha256Digest(bytes);
    const stated = res.headers['docker-content-digest'];
    if (typeof stated === 'string' && stated.startsWith('sha256:') && stated !== digest) {
      throw badAnswer(repo, what, `its bytes hash to ${digest} but Docker-Content-Digest says ${stated}`);
    }
    if (DIGEST_REF.test(reference) && reference !== digest) {
      throw badAnswer(repo, what, `its bytes hash to ${digest}, not to the digest asked for`);
    }
    const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    return { digest, mediaType: contentType, bytes };
  }

  /** A blob's bytes as a stream (redirects to storage followed); the caller checks the digest. */
  blob(repo: Repository, digest: string): Promise<IncomingMessage> {
    return this.open(repo, 'GET', this.apiUrl(repo, `blobs/${digest}`), undefined, `blob ${digest}`);
  }

  /** A small blob (an image config) read whole and checked against its digest. */
  async blobBytes(repo: Repository, digest: string, limit: number): Promise<Buffer> {
    const what = `blob ${digest}`;
    const bytes = await this.body(repo, what, await this.blob(repo, digest), limit);
    const actual = sha256Digest(bytes);
    if (actual !== digest) throw badAnswer(repo, what, `its bytes hash to ${actual}`);
    return bytes;
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages. */
  async listTags(repo: Repository): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | null = this.apiUrl(repo, `tags/list?n=${this.tagPageSize}`);
    const seen = new Set<string>();
    for (let page = 0; url !== null; page++) {
      if (page >= TAG_PAGE_LIMIT || seen.has(url.href)) throw badAnswer(repo, 'tag list', `its Link pagination does not end (at ${url.href})`);
      seen.add(url.href);
      const res = await this.open(repo, 'GET', url, 'application/json', 'the tag list');
      const bytes = await this.body(repo, 'tag list', res, MANIFEST_LIMIT);
      let doc: unknown;
      try {
        doc = JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        throw badAnswer(repo, 'tag list', `it is not JSON (${(err as Error).message})`);
      }
      const list = (doc as { tags?: unknown } | null)?.tags;
      // An empty repository answers "tags": null.
      if (list !== null && list !== undefined) {
        if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw badAnswer(repo, 'tag list', '"tags" is not a list of strings');
        tags.push(...(list as string[]));
      }
      url = nextLink(typeof res.headers.link === 'string' ? res.headers.link : undefined, url);
      if (url && url.origin !== this.baseUrl(repo.registry).origin) throw badAnswer(repo, 'tag list', `its next page is on another host (${url.href})`);
    }
    return tags;
  }

  private apiUrl(repo: Repository, path: string): URL {
    return new URL(`v2/${repo.repository}/${path}`, this.baseUrl(repo.registry));
  }

  private async body(repo: Repository, what: string, res: IncomingMessage, limit: number): Promise<Buffer> {
    try {
      return await readBody(res, limit);
    } catch (err) {
      throw badAnswer(repo, what, (err as Error).message);
    }
  }

  private credentials(repo: Repository): Credentials | null {
    return credentialsFor(this.auth, repo.registry, repo.repository);
  }

  private async authorization(repo: Repository, scheme: AuthScheme | undefined): Promise<string | null> {
    if (!scheme) return null;
    const creds = this.credentials(repo);
    if (scheme.kind === 'basic') return creds ? basicHeader(creds) : null;
    return `Bearer ${await this.bearerToken(repo, scheme, creds)}`;
  }

  /**
   * One API request with the auth flow: send (with what the repository asked for last time), and on a 401 learn
   * the challenge and try once more. 3xx redirects are followed; the Authorization header never leaves the registry.
   */
  private async open(repo: Repository, method: Exchange['method'], start: URL, accept: string | undefined, what: string): Promise<IncomingMessage> {
    const key = repositoryName(repo);
    let url = start;
    let retried = false;
    let onRegistry = true;
    for (let redirects = 0; ; ) {
      const scheme = this.schemes.get(key);
      const headers: Record<string, string> = accept ? { accept } : {};
      const authorization = onRegistry ? await this.authorization(repo, scheme) : null;
      if (authorization) headers.authorization = authorization;
      let res: IncomingMessage;
      try {
        res = await send(this.transport, { method, url, headers });
      } catch (err) {
        throw unreachable(repo, url, err);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        discard(res);
        if (++redirects > REDIRECT_LIMIT) throw badAnswer(repo, what, `more than ${REDIRECT_LIMIT} redirects (last to ${res.headers.location})`);
        const next = new URL(res.headers.location, url);
        if (next.origin !== url.origin) onRegistry = false;
        url = next;
        continue;
      }
      if (status === 401 && onRegistry) {
        const challenge = String(res.headers['www-authenticate'] ?? '');
        const body = describeErrorBody(method === 'HEAD' ? '' : await readSnippet(res));
        const learnt = schemeFrom(parseChallenges(challenge), `repository:${repo.repository}:pull`);
        if (!learnt) {
          throw authError(repo, `registry ${quote(repo.registry)} answered 401 for ${what} of ${quote(key)} with a challenge KUS cannot answer (WWW-Authenticate: ${quote(challenge)})`);
        }
        if (retried || (authorization !== null && learnt.kind === 'basic')) throw this.refused(repo, what, learnt, body.text);
        if (learnt.kind === 'bearer') this.tokens.delete(TokenCache.key(learnt, this.credentials(repo)?.username ?? null));
        if (learnt.kind === 'basic' && !this.credentials(repo)) throw this.noCredentials(repo, 'Basic');
        this.schemes.set(key, learnt);
        retried = true;
        continue;
      }
      if (status === 403) {
        const body = describeErrorBody(method === 'HEAD' ? '' : await readSnippet(res));
        throw authError(repo, `registry ${quote(repo.registry)} denied ${this.who(repo)} access to ${what} of ${quote(key)} (403, ${body.text}); ` +
          'check that the account may pull from that repository');
      }
      if (status < 200 || status >= 300) throw await answerError(repo, what, res);
      return res;
    }
  }

  private who(repo: Repository): string {
    const creds = this.credentials(repo);
    return creds ? `user ${quote(creds.username)} (from pull secret ${this.auth!.source})` : 'anonymous users';
  }

  private noCredentials(repo: Repository, scheme: string): KusError {
    const where = this.auth ? `the pull secret ${this.auth.source} has no entry for it` : 'no pull secret was given';
    return authError(repo, `registry ${quote(repo.registry)} asks for credentials (${scheme}) to read ${quote(repositoryName(repo))} and ${where}; ` +
      `pass a pull secret with --registry-auth FILE (kus serve: --registry-auth) whose "auths" has an entry for ${quote(repo.registry)}`);
  }

  private refused(repo: Repository, what: string, scheme: AuthScheme, body: string): KusError {
    if (!this.credentials(repo)) return this.noCredentials(repo, scheme.kind === 'basic' ? 'Basic' : 'Bearer');
    const how = scheme.kind === 'basic' ? 'the credentials of' : `a token (scope ${quote(scheme.scope)}) issued to`;
    return authError(repo, `registry ${quote(repo.registry)} refused ${how} ${this.who(repo)} for ${what} of ${quote(repositoryName(repo))} ` +
      `(401, ${body}); check the username and password for ${quote(repo.registry)} in that file`);
  }

  /** A bearer token for the scheme's scope, from the cache or the token service (with the pull secret's user if any). */
  private async bearerToken(repo: Repository, scheme: Extract<AuthScheme, { kind: 'bearer' }>, creds: Credentials | null): Promise<string> {
    const key = TokenCache.key(scheme, creds?.username ?? null);
    const cached = this.tokens.get(key);
    if (cached !== null) return cached;
    let url: URL;
    try {
      url = new URL(scheme.realm);
    } catch {
      throw badAnswer(repo, 'auth challenge', `its token realm ${quote(scheme.realm)} is not a URL`);
    }
    if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
    for (const scope of scheme.scope.split(' ').filter((s) => s !== '')) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds) headers.authorization = basicHeader(creds);
    let res: IncomingMessage;
    try {
      res = await send(this.transport, { method: 'GET', url, headers });
    } catch (err) {
      throw unreachable(repo, url, err);
    }
    const status = res.statusCode ?? 0;
    if (status === 401 || status === 403) {
      const body = describeErrorBody(await readSnippet(res));
      if (!creds) throw this.noCredentials(repo, 'Bearer');
      throw authError(repo, `the token service ${quote(url.origin + url.pathname)} of registry ${quote(repo.registry)} refused ${this.who(repo)} ` +
        `(${status}, ${body.text}); check the username and password for ${quote(repo.registry)} in that file`);
    }
    if (status < 200 || status >= 300) {
      const body = describeErrorBody(await readSnippet(res));
      throw new KusError('KUS_ERR_REGISTRY', `the token service ${quote(url.origin + url.pathname)} of registry ${quote(repo.registry)} answered ${status} (${body.text})`,
        { registry: repo.registry, repository: repo.repository, status });
    }
    const text = (await this.body(repo, 'token', res, 1024 * 1024)).toString('utf8');
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch (err) {
      throw badAnswer(repo, 'token', `the token service answered something other than JSON (${(err as Error).message})`);
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : doc.access_token;
    if (typeof token !== 'string' || token === '') throw badAnswer(repo, 'token', 'the token service answered without "token" or "access_token"');
    this.tokens.set(key, token, typeof doc.expires_in === 'number' ? doc.expires_in : undefined);
    return token;
  }
}
