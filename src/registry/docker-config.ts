// Pull secrets: the dockerconfigjson (`{"auths": {...}}`) that oc, podman and Kubernetes use, and credential lookup.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import { DOCKER_HUB } from './pull-spec.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Entries keyed by a normalised `host[:port][/path]` (no scheme, no trailing slash). */
export interface DockerConfig {
  readonly auths: ReadonlyMap<string, Credentials>;
  /** Where it came from, for messages: a file path or "the request". */
  readonly source: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `https://index.docker.io/v1/` → `docker.io`; `quay.io/org/` → `quay.io/org`. */
export function normaliseAuthKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (k === 'index.docker.io/v1' || k === 'index.docker.io' || k === 'registry-1.docker.io') k = DOCKER_HUB;
  else if (k.startsWith('index.docker.io/') || k.startsWith('registry-1.docker.io/')) k = `${DOCKER_HUB}/${k.slice(k.indexOf('/') + 1)}`;
  const slash = k.indexOf('/');
  // Host names are case-insensitive; repository paths are not.
  return slash < 0 ? k.toLowerCase() : `${k.slice(0, slash).toLowerCase()}${k.slice(slash)}`;
}

function entryCredentials(key: string, entry: unknown, source: string): Credentials | null {
  const bad = (why: string): KusError =>
    new KusError('KUS_ERR_BAD_REQUEST', `pull secret ${source}: entry ${quote(key)} ${why}`, { source, registry: key });
  if (!isRecord(entry)) throw bad('is not an object');
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw bad('has an "auth" that is not base64 of "username:password"');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  // An entry with only an identitytoken (a credential helper's) carries nothing usable here; it is simply absent.
  return null;
}

/** Validates a parsed dockerconfigjson; `source` names it in messages. */
export function parseDockerConfig(json: unknown, source: string): DockerConfig {
  if (!isRecord(json) || !isRecord(json.auths)) {
    throw new KusError('KUS_ERR_BAD_REQUEST',
      `pull secret ${source} is not a dockerconfigjson: expected {"auths": {"<registry>": {"auth": "<base64 user:password>"}}}`, { source });
  }
  const auths = new Map<string, Credentials>();
  for (const [key, entry] of Object.entries(json.auths)) {
    const creds = entryCredentials(key, entry, source);
    if (creds) auths.set(normaliseAuthKey(key), creds);
  }
  return { auths, source };
}

/** Reads a pull secret file (`--registry-auth FILE`). */
export function readDockerConfigFile(file: string): DockerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read the pull secret ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `pull secret ${quote(file)} is not JSON: ${(err as Error).message}`, { file }, { cause: err });
  }
  return parseDockerConfig(json, quote(file));
}

/** The most specific entry for a repository: `host/org/repo`, then `host/org`, then `host`, as podman looks them up. */
export function credentialsFor(config: DockerConfig | undefined, registry: string, repository: string): Credentials | null {
  if (!config) return null;
  const host = normaliseAuthKey(registry);
  const parts = repository.split('/');
  for (let n = parts.length; n >= 0; n--) {
    const key = n === 0 ? host : `${host}/${parts.slice(0, n).join('/')}`;
    const creds = config.auths.get(key);
    if (creds) return creds;
  }
  return null;
}
