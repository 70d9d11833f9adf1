// KusErrors for registry failures: each names the registry, the repository, what was asked, and what to do.
import type { IncomingMessage } from 'node:http';
import { KusError, quote } from '../errors/index.js';
import { readSnippet } from './http.js';
import { repositoryName, type Repository } from './pull-spec.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `CODE: message` of the distribution error body (`{"errors":[{code,message}]}`), else a short snippet of the body. */
export function describeErrorBody(text: string): { codes: string[]; text: string } {
  try {
    const body = JSON.parse(text) as unknown;
    if (isRecord(body) && Array.isArray(body.errors)) {
      const errors = body.errors.filter(isRecord);
      const codes = errors.map((e) => String(e.code ?? ''));
      return { codes, text: errors.map((e) => `${String(e.code ?? '?')}: ${String(e.message ?? '')}`).join('; ') };
    }
  } catch {
    // Not JSON: a proxy's HTML page or plain text; quoted below as it is.
  }
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return { codes: [], text: trimmed === '' ? 'empty body' : quote(trimmed, 160) };
}

/** Node's reason for a failed connection, with a hint about --insecure / --ca-file when TLS is the likely cause. */
export function unreachable(repo: Repository, url: URL, err: unknown): KusError {
  const e = err as NodeJS.ErrnoException;
  // OpenSSL's messages run over lines and name source files; its reason text is what a person needs.
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(e.message ?? '');
  const text = (ssl ? ssl[1]! : e.message ?? String(err)).replace(/\s+/g, ' ').trim();
  const reason = e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
  let hint = 'check that the registry runs and the host and port are right';
  if (/SSL|TLS|EPROTO|wrong version number|packet length/i.test(reason)) {
    hint = 'if the registry speaks plain HTTP, use --insecure (kus serve: --registry-insecure)';
  } else if (/CERT|certificate|self[- ]signed|UNABLE_TO_VERIFY|unable to get local issuer/i.test(reason)) {
    hint = 'trust the registry\'s CA with --ca-file FILE (kus serve: --registry-ca-file)';
  }
  return new KusError('KUS_ERR_REGISTRY',
    `cannot reach registry ${quote(repo.registry)} for ${quote(repositoryName(repo))} (${url.href}): ${reason}; ${hint}`,
    { registry: repo.registry, repository: repo.repository, url: url.href }, { cause: err });
}

/** A non-2xx answer other than the auth ones: 404 for an unknown manifest or repository, else KUS_ERR_REGISTRY. */
export async function answerError(repo: Repository, what: string, res: IncomingMessage): Promise<KusError> {
  const status = res.statusCode ?? 0;
  const body = describeErrorBody(await readSnippet(res));
  const details = { registry: repo.registry, repository: repo.repository, what, status };
  const name = quote(repositoryName(repo));
  if (status === 404) {
    const code = body.codes[0] ?? '';
    const unknownRepo = code === 'NAME_UNKNOWN';
    const fix = unknownRepo ? 'check the repository name' : 'check the tag or digest (skopeo list-tags shows the tags)';
    return new KusError('KUS_ERR_NOT_FOUND',
      `registry ${quote(repo.registry)} has no ${unknownRepo ? 'repository' : what} ${unknownRepo ? name : `in ${name}`} (404, ${body.text}); ${fix}`, details);
  }
  const hint = /HTTP request to an HTTPS server/i.test(body.text) ? '; it speaks HTTPS: leave out --insecure (kus serve: --registry-insecure)' : '';
  return new KusError('KUS_ERR_REGISTRY',
    `registry ${quote(repo.registry)} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} for ${what} of ${name} (${body.text})${hint}`, details);
}

/** The registry (or its token service) sent something that breaks the protocol or does not match its digest. */
export function badAnswer(repo: Repository, what: string, why: string): KusError {
  return new KusError('KUS_ERR_REGISTRY', `registry ${quote(repo.registry)} sent a bad ${what} for ${quote(repositoryName(repo))}: ${why}`,
    { registry: repo.registry, repository: repo.repository, what });
}

export function authError(repo: Repository, message: string): KusError {
  return new KusError('KUS_ERR_REGISTRY_AUTH', message, { registry: repo.registry, repository: repo.repository });
}
