// From a pull spec to a release: digest, architecture and release-metadata, as upstream's scraper reads them (§4.2).
import { archProblem, KEY } from '../graph/index.js';
import { KusError, quote } from '../errors/index.js';
import { goArch } from './arch.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { scanLayer } from './layer-scan.js';
import { parseManifest, platformEntries, type Descriptor, type Manifest } from './manifest.js';
import { isFilesystemLayer, isImageConfigType } from './media-types.js';
import { parsePullSpec, parseRepository, payloadOf, pullSpecText, type PullSpec, type Repository } from './pull-spec.js';
import { badAnswer } from './registry-error.js';
import { parseReleaseMetadata, RELEASE_METADATA_PATH, type ReleaseDocument } from './release-metadata.js';

export interface ResolvedRelease {
  /** `registry[:port]/repository@sha256:…`: what the pull spec resolved to (the list itself for a manifest list). */
  payload: string;
  digest: string;
  /** Go architecture name, `multi` for a list of several images, or what the metadata's architecture key says. */
  arch: string;
  doc: ReleaseDocument;
}

type ImageManifest = Extract<Manifest, { kind: 'image' }>;

const CONFIG_LIMIT = 16 * 1024 * 1024;

function notARelease(spec: string, digest: string, why: string): KusError {
  return new KusError('KUS_ERR_NOT_A_RELEASE', `${spec} (${digest}) is not a release image: ${why}`, { pullSpec: spec, digest });
}

async function imageManifest(client: RegistryClient, repo: Repository, spec: string, entry: Descriptor): Promise<ImageManifest> {
  const what = `manifest ${entry.digest}`;
  const m = parseManifest(repo, what, await client.manifest(repo, entry.digest));
  if (m.kind !== 'image') throw notARelease(spec, entry.digest, 'its manifest list names another manifest list, not an image');
  return m;
}

/** The config's `architecture` as a Go name; a config that is not an image config (a cosign signature...) is refused. */
async function configArch(client: RegistryClient, repo: Repository, spec: string, image: ImageManifest): Promise<string> {
  if (image.config.mediaType !== '' && !isImageConfigType(image.config.mediaType)) {
    throw notARelease(spec, image.digest, `its config has media type ${quote(image.config.mediaType)}, so it is not a container image (a signature or attestation?)`);
  }
  const bytes = await client.blobBytes(repo, image.config.digest, CONFIG_LIMIT);
  let config: { architecture?: unknown };
  try {
    config = JSON.parse(bytes.toString('utf8')) as { architecture?: unknown };
  } catch (err) {
    throw badAnswer(repo, `config ${image.config.digest}`, `it is not JSON (${(err as Error).message})`);
  }
  if (typeof config.architecture !== 'string' || config.architecture.trim() === '') {
    throw notARelease(spec, image.digest, 'its image config has no "architecture"');
  }
  return goArch(config.architecture);
}

/** Layers from the top-most down; the first holding a valid document wins, as upstream reads them. */
async function releaseDocument(client: RegistryClient, repo: Repository, spec: string, image: ImageManifest): Promise<ReleaseDocument> {
  const problems: string[] = [];
  const layers = image.layers.filter((l) => l.mediaType === '' || isFilesystemLayer(l.mediaType));
  for (const layer of [...layers].reverse()) {
    const res = await client.blob(repo, layer.digest);
    let scan;
    try {
      scan = await scanLayer(res);
    } catch (err) {
      if (err instanceof KusError && err.code === 'KUS_ERR_NOT_A_RELEASE') {
        problems.push(`layer ${layer.digest}: ${err.message}`);
        continue;
      }
      throw err instanceof KusError ? err : badAnswer(repo, `layer ${layer.digest}`, (err as Error).message);
    } finally {
      res.destroy();
    }
    if (scan.digest !== layer.digest) throw badAnswer(repo, `layer ${layer.digest}`, `its bytes hash to ${scan.digest}`);
    if (scan.metadata !== null) {
      const parsed = scan.truncated ? { ok: false as const, problem: 'it is larger than 1 MiB' } : parseReleaseMetadata(scan.metadata);
      if (parsed.ok) return parsed.doc;
      problems.push(`layer ${layer.digest} holds ${RELEASE_METADATA_PATH} but ${parsed.problem}`);
    } else if (scan.hidesBelow) {
      problems.push(`layer ${layer.digest} deletes ${RELEASE_METADATA_PATH} of the layers below it (a whiteout)`);
      break;
    }
  }
  const why = problems.length > 0 ? problems.join('; ') : `none of its ${layers.length} layers holds ${RELEASE_METADATA_PATH}`;
  throw notARelease(spec, image.digest, `${why}; release images are built with "oc adm release new"`);
}

/** Resolves with an existing client (its tokens are reused): digest, then arch and document per graph-semantics §4.2. */
export async function resolveWith(client: RegistryClient, spec: PullSpec): Promise<ResolvedRelease> {
  const text = pullSpecText(spec);
  const reference = spec.digest ?? spec.tag!;
  const top = parseManifest(spec, `manifest ${quote(reference)}`, await client.manifest(spec, reference));
  let arch: string;
  let image: ImageManifest;
  if (top.kind === 'list') {
    const entries = platformEntries(top);
    if (entries.length === 0) throw notARelease(text, top.digest, 'its manifest list names no image');
    // Several images make a multi release; upstream reads the metadata of the last one (all carry the same).
    image = await imageManifest(client, spec, text, entries[entries.length - 1]!);
    arch = entries.length > 1 ? 'multi' : await configArch(client, spec, text, image);
    if (entries.length > 1 && image.config.mediaType !== '' && !isImageConfigType(image.config.mediaType)) {
      throw notARelease(text, top.digest, `its last image has a config of media type ${quote(image.config.mediaType)}`);
    }
  } else {
    image = top;
    arch = await configArch(client, spec, text, image);
  }
  const doc = await releaseDocument(client, spec, text, image);
  const declared = doc.metadata[KEY.payloadArchitecture];
  if (declared === 'multi' && top.kind !== 'list') {
    throw notARelease(text, top.digest,
      `it is the ${arch} image of a multi-architecture release (${KEY.payloadArchitecture} is "multi"); ingest the manifest list that holds it instead`);
  }
  if (declared !== undefined) {
    const problem = archProblem(declared);
    if (problem) throw notARelease(text, top.digest, `its metadata's ${KEY.payloadArchitecture}: ${problem}`);
    arch = declared;
  }
  const problem = archProblem(arch);
  if (problem) throw notARelease(text, top.digest, `its image config's ${problem}`);
  return { payload: payloadOf(spec, top.digest), digest: top.digest, arch, doc };
}

/** Resolves a pull spec (by tag or digest) to a release; throws KUS_ERR_NOT_A_RELEASE for other images. */
export async function resolveRelease(pullSpec: string, options: RegistryOptions = {}): Promise<ResolvedRelease> {
  return resolveWith(new RegistryClient(options), parsePullSpec(pullSpec));
}

/** Every tag of a repository (`registry[:port]/repository`), following Link pagination. */
export async function listTags(repository: string, options: RegistryOptions = {}): Promise<string[]> {
  return new RegistryClient(options).listTags(parseRepository(repository));
}
