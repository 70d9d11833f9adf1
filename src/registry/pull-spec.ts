// Pull specs (`[registry[:port]/]repository[:tag][@sha256:hex]`) parsed the way docker and podman read them.
import { KusError, quote } from '../errors/index.js';

export interface Repository {
  /** Registry host[:port] as it appears in payloads, e.g. `quay.example:5000`; `docker.io` when none was written. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `ocp/release` (`library/` added for one-word docker.io names). */
  readonly repository: string;
}

export interface PullSpec extends Repository {
  readonly tag: string | null;
  /** `sha256:<64 hex>`; wins over the tag when both are written, as with docker. */
  readonly digest: string | null;
}

export const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

const EXAMPLE = 'write [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. "quay.example:5000/ocp/release:4.9.1"';

function invalid(text: string, why: string): KusError {
  return new KusError('KUS_ERR_INVALID_PULL_SPEC', `pull spec ${quote(text)} ${why}; ${EXAMPLE}`, { pullSpec: text });
}

/** The first path part names a registry when it looks like a host (a dot, a port or `localhost`), as docker decides. */
function splitRegistry(text: string, name: string): Repository {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  let registry = isHost ? first : DOCKER_HUB;
  let repository = isHost ? name.slice(slash + 1) : name;
  if (isHost && !HOST.test(registry)) throw invalid(text, `has a registry ${quote(registry)} that is not a host[:port]`);
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  const parts = repository.split('/');
  const bad = parts.find((p) => !COMPONENT.test(p));
  if (bad !== undefined) {
    throw invalid(text, `has a repository path part ${quote(bad)} that is not lower-case letters and digits joined by ".", "_", "__" or "-"`);
  }
  return { registry, repository };
}

/** Parses a pull spec; a leading `docker://` (skopeo's transport prefix) is accepted. */
export function parsePullSpec(input: string): PullSpec {
  const text = input.trim();
  let rest = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  if (rest === '') throw invalid(input, 'is empty');
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `has a digest ${quote(digest)} that is not sha256:<64 lower-case hex>`);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `has a tag ${quote(tag)} that is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  if (rest === '') throw invalid(input, 'has no repository');
  const repo = splitRegistry(input, rest);
  if (tag === null && digest === null) tag = 'latest';
  return { ...repo, tag, digest: digest };
}

/** A repository to watch: like a pull spec, but without a tag or digest. */
export function parseRepository(input: string): Repository {
  const spec = parsePullSpec(input);
  const trimmed = input.trim();
  if (spec.digest !== null || trimmed.slice(trimmed.lastIndexOf('/') + 1).includes(':')) {
    throw new KusError('KUS_ERR_INVALID_PULL_SPEC', `repository ${quote(input)} carries a tag or digest; name the repository only, e.g. "quay.example:5000/ocp/release"`, { repository: input });
  }
  return { registry: spec.registry, repository: spec.repository };
}

export const repositoryName = (r: Repository): string => `${r.registry}/${r.repository}`;

/** `registry/repo:tag` or `registry/repo@sha256:…`, for messages. */
export function pullSpecText(spec: PullSpec): string {
  return spec.digest !== null ? `${repositoryName(spec)}@${spec.digest}` : `${repositoryName(spec)}:${spec.tag ?? 'latest'}`;
}

/** The payload clusters pull: by digest, never by tag. */
export const payloadOf = (r: Repository, digest: string): string => `${repositoryName(r)}@${digest}`;
