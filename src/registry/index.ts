// Public surface of the registry client: pull specs, pull secrets, the client, and release resolution.
export { parsePullSpec, parseRepository, pullSpecText, repositoryName, payloadOf, DOCKER_HUB, type PullSpec, type Repository } from './pull-spec.js';
export { parseDockerConfig, readDockerConfigFile, credentialsFor, type DockerConfig, type Credentials } from './docker-config.js';
export { RegistryClient, sha256Digest, type RegistryOptions, type FetchedManifest } from './client.js';
export { resolveRelease, resolveWith, listTags, type ResolvedRelease } from './resolve.js';
export { parseReleaseMetadata, RELEASE_METADATA_PATH, RELEASE_METADATA_KIND, type ReleaseDocument } from './release-metadata.js';
export { goArch } from './arch.js';
export { MEDIA, MANIFEST_ACCEPT } from './media-types.js';
