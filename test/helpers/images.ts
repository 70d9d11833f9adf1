// Builds real image blobs (tar layers, configs, Docker/OCI manifests and lists) for tests, in memory.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { packTar } from '../../src/tar/index.js';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TarFile {
  path: string;
  body?: string | Buffer;
  /** '0' file (default), '5' directory, '2' symlink. */
  type?: string;
}

const TYPES = { '0': 'file', '5': 'directory', '2': 'symlink' } as const;

/** A tar archive written by KUS's tar module (src/tar), the files in the given order. */
export function tar(files: TarFile[]): Promise<Buffer> {
  return packTar(files.map((f) => ({
    name: f.path,
    type: TYPES[(f.type ?? '0') as keyof typeof TYPES],
    mtime: new Date(1_600_000_000_000),
    ...(f.type === '2' ? { linkname: 'target' } : {}),
    body: typeof f.body === 'string' ? Buffer.from(f.body) : f.body ?? Buffer.alloc(0),
  })));
}

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

const blob = (mediaType: string, bytes: Buffer): Blob => ({ mediaType, digest: sha256(bytes), size: bytes.length, bytes });

export interface Image {
  /** The manifest (image or list) to push, and what it references. */
  manifest: Blob;
  blobs: Blob[];
  /** Images a list references (pushed by digest first). */
  children: Image[];
}

export interface ReleaseDoc {
  kind?: string;
  version: string;
  previous?: string[];
  next?: string[];
  metadata?: Record<string, string>;
}

/** The release-manifests/ layer `oc adm release new` writes: release-metadata and image-references. */
export function releaseFiles(doc: ReleaseDoc | string): TarFile[] {
  const text = typeof doc === 'string' ? doc : JSON.stringify({ kind: 'cincinnati-metadata-v0', ...doc });
  const version = typeof doc === 'string' ? '0.0.0' : doc.version;
  const refs = { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name: version }, spec: { tags: [] } };
  return [
    { path: 'release-manifests/', type: '5' },
    { path: 'release-manifests/image-references', body: JSON.stringify(refs) },
    { path: 'release-manifests/release-metadata', body: text },
  ];
}

export interface ImageOptions {
  arch: string;
  /** Each layer's files (or a tar archive made elsewhere, e.g. by GNU tar), bottom first; gzip-compressed unless `plainLayers`. */
  layers: Array<TarFile[] | Buffer>;
  oci?: boolean;
  plainLayers?: boolean;
  /** Overrides the config media type (e.g. a cosign signature's). */
  configMediaType?: string;
  /** Distinguishes otherwise identical images (goes into the config). */
  label?: string;
}

export async function image(o: ImageOptions): Promise<Image> {
  const tars = await Promise.all(o.layers.map((files) => (Buffer.isBuffer(files) ? files : tar(files))));
  const layers = tars.map((t) => (o.plainLayers
    ? blob('application/vnd.oci.image.layer.v1.tar', t)
    : blob(o.oci ? MT.ociLayer : MT.dockerLayer, gzipSync(t))));
  const config = blob(o.configMediaType ?? (o.oci ? MT.ociConfig : MT.dockerConfig), Buffer.from(JSON.stringify({
    architecture: o.arch,
    os: 'linux',
    config: { Labels: { 'io.kus.test': o.label ?? '' } },
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
  })));
  const desc = (b: Blob): object => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const mediaType = o.oci ? MT.ociManifest : MT.dockerManifest;
  const manifest = blob(mediaType, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: desc(config), layers: layers.map(desc) }, null, 3)));
  return { manifest, blobs: [config, ...layers], children: [] };
}

/** A manifest list (or OCI index) of images, each with its platform. */
export function manifestList(entries: Array<{ image: Image; arch: string }>, oci = false): Image {
  const mediaType = oci ? MT.ociIndex : MT.dockerList;
  const manifests = entries.map((e) => ({
    mediaType: e.image.manifest.mediaType,
    digest: e.image.manifest.digest,
    size: e.image.manifest.size,
    platform: { architecture: e.arch, os: 'linux' },
  }));
  const manifest = blob(mediaType, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }, null, 3)));
  return { manifest, blobs: [], children: entries.map((e) => e.image) };
}

/** A simple single-arch release image: a base layer and the release-manifests layer on top. */
export function releaseImage(doc: ReleaseDoc, arch = 'amd64', oci = false): Promise<Image> {
  return image({ arch, oci, layers: [[{ path: 'etc/os-release', body: 'ID=kylin\n' }], releaseFiles(doc)] });
}
