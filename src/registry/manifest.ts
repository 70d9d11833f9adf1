// Image manifests and manifest lists (Docker schema 2 and OCI) read into one shape, with their media types checked.
import { KusError, quote } from '../errors/index.js';
import type { FetchedManifest } from './client.js';
import { isImageType, isListType, isSchema1, MEDIA } from './media-types.js';
import type { Repository } from './pull-spec.js';
import { badAnswer } from './registry-error.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform: { architecture?: string; os?: string; variant?: string } | undefined;
  annotations: Record<string, string>;
}

export type Manifest =
  | { kind: 'image'; mediaType: string; digest: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'list'; mediaType: string; digest: string; manifests: Descriptor[] };

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descriptor(repo: Repository, what: string, v: unknown): Descriptor {
  if (!isRecord(v) || typeof v.digest !== 'string') throw badAnswer(repo, what, 'a descriptor has no "digest"');
  if (!DIGEST.test(v.digest)) throw badAnswer(repo, what, `descriptor digest ${quote(v.digest)} is not sha256:<64 hex> (other algorithms are not supported)`);
  const platform = isRecord(v.platform) ? {
    ...(typeof v.platform.architecture === 'string' ? { architecture: v.platform.architecture } : {}),
    ...(typeof v.platform.os === 'string' ? { os: v.platform.os } : {}),
    ...(typeof v.platform.variant === 'string' ? { variant: v.platform.variant } : {}),
  } : undefined;
  const annotations: Record<string, string> = {};
  if (isRecord(v.annotations)) for (const [k, a] of Object.entries(v.annotations)) if (typeof a === 'string') annotations[k] = a;
  return {
    mediaType: typeof v.mediaType === 'string' ? v.mediaType : '',
    digest: v.digest,
    size: typeof v.size === 'number' ? v.size : -1,
    platform,
    annotations,
  };
}

/** The media type: Content-Type when it names a manifest type, else the document's own field, else its shape. */
function mediaTypeOf(fetched: FetchedManifest, doc: Record<string, unknown>): string {
  const known = (t: string): boolean => isImageType(t) || isListType(t) || isSchema1(t);
  if (known(fetched.mediaType)) return fetched.mediaType;
  if (typeof doc.mediaType === 'string' && known(doc.mediaType)) return doc.mediaType;
  if (doc.schemaVersion === 1) return MEDIA.dockerSchema1;
  if (Array.isArray(doc.manifests)) return MEDIA.ociIndex;
  if (isRecord(doc.config) && Array.isArray(doc.layers)) return MEDIA.ociManifest;
  return fetched.mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : 'unknown');
}

export function parseManifest(repo: Repository, what: string, fetched: FetchedManifest): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(fetched.bytes.toString('utf8'));
  } catch (err) {
    throw badAnswer(repo, what, `it is not JSON (${(err as Error).message})`);
  }
  if (!isRecord(doc)) throw badAnswer(repo, what, 'it is not a JSON object');
  const mediaType = mediaTypeOf(fetched, doc);
  if (isSchema1(mediaType)) {
    throw new KusError('KUS_ERR_NOT_A_RELEASE',
      `${what} (${fetched.digest}) is a Docker schema 1 manifest, which has no config and cannot be a release image; push it again with a current tool`,
      { digest: fetched.digest, mediaType });
  }
  if (isListType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw badAnswer(repo, what, 'a manifest list without "manifests"');
    return { kind: 'list', mediaType, digest: fetched.digest, manifests: doc.manifests.map((m) => descriptor(repo, what, m)) };
  }
  if (isImageType(mediaType)) {
    if (!Array.isArray(doc.layers)) throw badAnswer(repo, what, 'an image manifest without "layers"');
    return { kind: 'image', mediaType, digest: fetched.digest, config: descriptor(repo, what, doc.config), layers: doc.layers.map((l) => descriptor(repo, what, l)) };
  }
  throw new KusError('KUS_ERR_NOT_A_RELEASE', `${what} (${fetched.digest}) has media type ${quote(mediaType)}, which is not an image manifest or manifest list`,
    { digest: fetched.digest, mediaType });
}

/** Entries of a list that are images for a platform: BuildKit's attestation manifests (platform unknown/unknown) are not. */
export function platformEntries(list: Extract<Manifest, { kind: 'list' }>): Descriptor[] {
  return list.manifests.filter((m) => m.annotations['vnd.docker.reference.type'] !== 'attestation-manifest' && m.platform?.architecture !== 'unknown');
}
