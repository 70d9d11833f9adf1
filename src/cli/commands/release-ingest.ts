// `kus release ingest PULLSPEC`: resolve a release image in its registry and publish it by digest.
import type { Release } from '../../graph/index.js';
import { Ingest, registryOptionsFromFiles, registryOverridesFromFiles } from '../../services/ingest.js';
import { listFlag, stringFlag, targetFlags, type Command } from '../command.js';
import { emit, releaseName, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE, type Outcome } from '../target.js';
import { withProgress } from '../progress.js';

export const command: Command = {
  path: ['release', 'ingest'],
  summary: 'publish a release image from its registry (tag or digest → release by digest)',
  description: [
    'Reads the release image from its registry (Docker Registry HTTP API v2 / OCI distribution) and publishes it:',
    'a tag is resolved to its digest and the payload is stored as REGISTRY/REPOSITORY@sha256:DIGEST; version,',
    'previous, next and metadata come from release-manifests/release-metadata in the image (the file',
    '"oc adm release new" writes), read from the top-most layer down; the architecture comes from the image',
    'config (x86_64 → amd64, aarch64 → arm64), a manifest list of several images is "multi", and',
    'release.openshift.io/architecture in the metadata overrides both.',
    '',
    'Refused, with nothing changed: an image without a valid release-metadata (a component image, a cosign',
    'signature: KUS_ERR_NOT_A_RELEASE), the single-arch image of a multi release (ingest the manifest list),',
    'a version already stored for that architecture with another digest (KUS_ERR_DIGEST_MISMATCH). The same',
    'image again changes nothing. Registry failures are KUS_ERR_REGISTRY / KUS_ERR_REGISTRY_AUTH and name the',
    'registry, repository and tag.',
    '',
    'Credentials: --registry-auth FILE takes the pull secret oc and podman use ({"auths": {...}}); Basic and',
    'bearer-token registries both work. With --server the file and the CA are sent to the server with the request',
    '(on top of its own --registry-auth) and the server talks to the registry.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [{ name: 'PULLSPEC', required: true, description: '[registry[:port]/]repository[:tag][@sha256:HEX]' }],
  flags: {
    channel: { type: 'string', valueName: 'C', multiple: true, description: 'also list the version in this (existing) channel' },
    'registry-auth': { type: 'string', valueName: 'FILE', description: 'pull secret (dockerconfigjson) with credentials for the registry' },
    insecure: { type: 'boolean', description: 'talk plain HTTP to the registry (one without TLS)' },
    'ca-file': { type: 'string', valueName: 'FILE', description: 'PEM CA certificates to trust for the registry, besides the system ones' },
    ...targetFlags,
  },
  examples: [
    'kus release ingest registry.kylinsec.example/ocp4/release:4.9.22-kylinsec.1 --channel candidate-4.9 \\\n' +
      '    --registry-auth ~/.docker/config.json',
    'kus release ingest 127.0.0.1:5000/ocp/release@sha256:9b7e3c1d0f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e --insecure --db ./data/kus.db',
    'KUS_SERVER=https://kus.example KUS_TOKEN=… kus release ingest quay.example/ocp/release:4.10.0-multi --json',
  ],
  async run(ctx) {
    const pullSpec = ctx.positionals[0]!;
    const channels = listFlag(ctx.flags, 'channel');
    const files = { authFile: stringFlag(ctx.flags, 'registry-auth'), insecure: ctx.flags.insecure === true, caFile: stringFlag(ctx.flags, 'ca-file') };
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome: Outcome<Release> = await withProgress(ctx, `ingesting ${pullSpec}`, async (p) => {
        if (target.local) {
          p.step('reading the release image from its registry');
          const { publisher, actor } = target.local;
          return new Ingest({ publisher, registry: registryOptionsFromFiles(files) }).ingest(actor, pullSpec, { channels });
        }
        const overrides = registryOverridesFromFiles(files);
        p.step(`asking ${target.where} to read the release image`);
        return target.client!.post<Release>('/releases/ingest', {
          pullSpec,
          ...(channels.length > 0 ? { channels } : {}),
          ...(overrides.auth !== undefined ? { registryAuth: overrides.auth } : {}),
          ...(overrides.insecure ? { insecure: true } : {}),
          ...(overrides.ca !== undefined ? { ca: overrides.ca } : {}),
        });
      });
      emit(ctx, outcome, (r) => {
        const name = releaseName(r);
        const head = outcome.changed === false ? `${name} is already stored with this digest; nothing changed` : `ingested ${name} into ${target.where}`;
        const lines = [head, `  payload: ${r.payload}`];
        if (r.previous.length > 0) lines.push(`  previous: ${r.previous.join(', ')}`);
        if (r.next.length > 0) lines.push(`  next: ${r.next.join(', ')}`);
        if (channels.length > 0) lines.push(`  channels: ${channels.join(', ')}`);
        return `${lines.join('\n')}\n`;
      });
    });
  },
};
