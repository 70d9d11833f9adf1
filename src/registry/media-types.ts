// Manifest, config and layer media types of the Docker v2 schema 2 and OCI image formats.
export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
} as const;

/** Sent with every manifest request: without the list types a registry may rewrite a list to one image. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifestList, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.ociManifest].join(', ');

export const isListType = (t: string): boolean => t === MEDIA.dockerManifestList || t === MEDIA.ociIndex;
export const isImageType = (t: string): boolean => t === MEDIA.dockerManifest || t === MEDIA.ociManifest;
export const isSchema1 = (t: string): boolean => t === MEDIA.dockerSchema1 || t === MEDIA.dockerSchema1Signed;
export const isImageConfigType = (t: string): boolean => t === MEDIA.dockerConfig || t === MEDIA.ociConfig;

/** Layers that are file system tars (compressed or not); anything else (a cosign payload, an SBOM) holds no files. */
export function isFilesystemLayer(t: string): boolean {
  return t === MEDIA.dockerLayer || t === MEDIA.dockerForeignLayer || t.startsWith('application/vnd.oci.image.layer.');
}
