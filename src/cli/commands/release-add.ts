// `kus release add`: publish one release given explicitly (version, arch, payload by digest, edges, metadata).
import { KusError, quote } from '../../errors/index.js';
import { listFlag, stringFlag, targetFlags, type Command } from '../command.js';
import { emit, releaseName, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

/** `--metadata key=value`, split at the first "=" so values may contain one. */
export function parseMetadata(items: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new KusError('KUS_ERR_USAGE', `--metadata ${quote(item)} is not KEY=VALUE`);
    metadata[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return metadata;
}

export const command: Command = {
  path: ['release', 'add'],
  summary: 'publish a release given by version, architecture and payload digest',
  description: [
    'Stores one release (one version for one architecture) and, with --channel, lists it in channels. The payload',
    'must be a pull spec by digest (REPO@sha256:HEX): clusters verify signatures by digest. To read the version,',
    'edges and metadata from the image itself, use "kus release ingest PULLSPEC" instead.',
    '',
    'Refused, with nothing changed: a version already stored for that architecture with another digest',
    '(KUS_ERR_DIGEST_MISMATCH: clusters could not tell the two apart; build a new version), a payload by tag, a',
    'version that is not SemVer, an edge that would close a cycle. The same version and digest again changes',
    'nothing. A --previous or --next version that is not stored yet is accepted with a warning: the edge',
    'appears once that release arrives.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  flags: {
    version: { type: 'string', valueName: 'V', required: true, description: 'SemVer of the release, without the architecture' },
    arch: { type: 'string', valueName: 'ARCH', required: true, description: 'Go architecture name: amd64, arm64, s390x, ppc64le or multi' },
    payload: { type: 'string', valueName: 'REPO@sha256:HEX', required: true, description: 'release image by digest' },
    previous: { type: 'string', valueName: 'V', multiple: true, description: 'a version that may update to this one' },
    next: { type: 'string', valueName: 'V', multiple: true, description: 'a version this one may update to' },
    channel: { type: 'string', valueName: 'C', multiple: true, description: 'also list the version in this existing channel' },
    metadata: { type: 'string', valueName: 'KEY=VALUE', multiple: true, description: 'node metadata, e.g. url=https://…/errata' },
    ...targetFlags,
  },
  examples: [
    'kus release add --version 4.9.22-kylinsec.1 --arch arm64 --previous 4.9.21-kylinsec.2 --channel candidate-4.9 \\\n' +
      '    --payload registry.kylinsec.example/ocp4/release@sha256:9b7e3c1d0f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
    'KUS_SERVER=https://kus.example KUS_TOKEN=… kus release add --version 4.9.22-kylinsec.1 --arch amd64 --payload REPO@sha256:HEX --json',
  ],
  async run(ctx) {
    const metadata = parseMetadata(listFlag(ctx.flags, 'metadata'));
    const input = {
      version: stringFlag(ctx.flags, 'version')!,
      arch: stringFlag(ctx.flags, 'arch')!,
      payload: stringFlag(ctx.flags, 'payload')!,
      previous: listFlag(ctx.flags, 'previous'),
      next: listFlag(ctx.flags, 'next'),
      metadata,
      channels: listFlag(ctx.flags, 'channel'),
    };
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.addRelease(input);
      emit(ctx, outcome, (r) => {
        const name = releaseName(r);
        const head = outcome.changed === false ? `${name} is already stored with this digest; nothing changed` : `added ${name} to ${target.where}`;
        const channels = input.channels.length > 0 ? `\n  channels: ${input.channels.join(', ')}` : '';
        return `${head}\n  payload: ${r.payload}${channels}\n`;
      });
    });
  },
};
