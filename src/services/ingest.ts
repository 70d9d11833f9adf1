// Ingest: resolve a pull spec in its registry (all the async work, before any write), then publish the release by digest.
import { readFileSync } from 'node:fs';
import { isKusError, KusError, quote } from '../errors/index.js';
import type { Release } from '../graph/index.js';
import {
  parseDockerConfig, parsePullSpec, readDockerConfigFile, RegistryClient, resolveWith, type DockerConfig, type RegistryOptions, type ResolvedRelease,
} from '../registry/index.js';
import type { Actor, PublisherApi, WriteResult } from './publisher.js';

/** Per-request registry settings (admin API body, CLI flags); they add to the server's own. */
export interface RegistryOverrides {
  /** A dockerconfigjson document (`{"auths": {...}}`); its entries win over the server's pull secret. */
  auth?: unknown;
  /** Plain HTTP to the registry. */
  insecure?: boolean;
  /** PEM text of CA certificates to trust besides the server's. */
  ca?: string;
}

export interface IngestOptions {
  /** Existing channels that should list the version. */
  channels?: string[];
  registry?: RegistryOverrides;
}

export interface IngestDeps {
  publisher: PublisherApi;
  /** The server's registry settings (`kus serve --registry-auth/--registry-insecure/--registry-ca-file`). */
  registry?: RegistryOptions;
}

function mergeAuth(base: DockerConfig | undefined, extra: DockerConfig): DockerConfig {
  if (!base) return extra;
  return { auths: new Map([...base.auths, ...extra.auths]), source: `${extra.source} (then ${base.source})` };
}

export class Ingest {
  private readonly publisher: PublisherApi;
  private readonly options: RegistryOptions;
  /** Shared by requests without overrides and by watch mode, so that bearer tokens are reused. */
  readonly client: RegistryClient;

  constructor(deps: IngestDeps) {
    this.publisher = deps.publisher;
    this.options = deps.registry ?? {};
    this.client = new RegistryClient(this.options);
  }

  /** Resolves `pullSpec` (tag or digest) and adds the release; a refusal at any step is audited and rethrown. */
  async ingest(actor: Actor, pullSpec: string, options: IngestOptions = {}): Promise<WriteResult<Release>> {
    const channels = options.channels ?? [];
    let resolved: ResolvedRelease;
    try {
      resolved = await resolveWith(this.clientFor(options.registry), parsePullSpec(pullSpec));
    } catch (err) {
      if (isKusError(err)) {
        this.publisher.recordRefusal(actor, { action: 'release.ingest', target: pullSpec, request: { pullSpec, channels } }, err);
      }
      throw err;
    }
    return this.publish(actor, resolved, channels);
  }

  /** Adds a resolved release (watch mode resolves with its own loop, then calls this). */
  publish(actor: Actor, resolved: ResolvedRelease, channels: string[] = []): WriteResult<Release> | Promise<WriteResult<Release>> {
    const { doc } = resolved;
    return this.publisher.addRelease(actor, {
      version: doc.version,
      arch: resolved.arch,
      payload: resolved.payload,
      previous: doc.previous,
      next: doc.next,
      metadata: doc.metadata,
      ...(channels.length > 0 ? { channels } : {}),
    });
  }

  private clientFor(overrides: RegistryOverrides | undefined): RegistryClient {
    if (!overrides || (overrides.auth === undefined && overrides.insecure === undefined && overrides.ca === undefined)) return this.client;
    const options: RegistryOptions = { ...this.options };
    if (overrides.auth !== undefined) {
      if (overrides.auth === null || typeof overrides.auth !== 'object') {
        throw new KusError('KUS_ERR_BAD_REQUEST', 'registryAuth must be a dockerconfigjson object ({"auths": {...}})');
      }
      options.auth = mergeAuth(this.options.auth, parseDockerConfig(overrides.auth, 'of the request'));
    }
    if (overrides.insecure !== undefined) options.insecure = overrides.insecure;
    if (overrides.ca !== undefined) options.ca = this.options.ca ? `${this.options.ca}\n${overrides.ca}` : overrides.ca;
    return new RegistryClient(options);
  }
}

/** Registry settings as files name them (CLI flags): the pull secret and CA are read now, so a bad path fails early. */
export interface RegistryFiles {
  authFile?: string | undefined;
  insecure?: boolean | undefined;
  caFile?: string | undefined;
}

/** For resolving in this process (`--db`). */
export function registryOptionsFromFiles(files: RegistryFiles): RegistryOptions {
  return {
    ...(files.authFile !== undefined ? { auth: readDockerConfigFile(files.authFile) } : {}),
    ...(files.insecure ? { insecure: true } : {}),
    ...(files.caFile !== undefined ? { ca: readTextFile(files.caFile, 'CA file') } : {}),
  };
}

/** For a server to resolve with (`--server`): the pull secret's JSON and the CA's PEM travel in the request. */
export function registryOverridesFromFiles(files: RegistryFiles): RegistryOverrides {
  const overrides: RegistryOverrides = {};
  if (files.authFile !== undefined) {
    // Parsed here too, so that a malformed file is reported by the CLI with its path rather than by the server.
    readDockerConfigFile(files.authFile);
    overrides.auth = JSON.parse(readTextFile(files.authFile, 'pull secret')) as unknown;
  }
  if (files.insecure) overrides.insecure = true;
  if (files.caFile !== undefined) overrides.ca = readTextFile(files.caFile, 'CA file');
  return overrides;
}

function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read the ${what} ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
}
