// `kus mirror`: import an upstream graph (URL or saved file) for one channel and arch, payloads rewritten to a mirror.
import { withContext } from '../../compose/index.js';
import { quote } from '../../errors/index.js';
import { Mirror, parseRewrite, type MirrorReport } from '../../services/mirror.js';
import { readServedGraph } from '../../services/mirror-source.js';
import { listFlag, stringFlag, targetFlags, storeOptions, type Command } from '../command.js';
import { localActor } from '../local-target.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE, type Outcome } from '../target.js';
import { withProgress } from '../progress.js';

export const command: Command = {
  path: ['mirror'],
  summary: 'import an upstream graph (URL or saved JSON) for one channel and arch, payloads rewritten to your mirror',
  description: [
    'Reads the graph a Cincinnati server serves for --channel and --arch: from a URL (api.openshift.com, an OKD',
    'server, another KUS; channel and arch are added to the query unless the URL has them) or from a JSON file saved',
    'there, for sites without a path to it (curl -H "Accept: application/json" "URL?channel=C&arch=A" > graph.json).',
    '',
    'Its nodes become releases of --arch, its edges their previous versions, its versions the channel\'s, and its',
    'conditional edges (with their risks) conditional-edge documents named mirror-<channel>-<arch>-…; the served',
    'graph of that channel and arch is then the document\'s. Payload repositories are rewritten like an',
    'ImageDigestMirrorSet: --rewrite FROM=TO replaces the longest matching repository prefix, the digest is kept, so',
    'signatures still verify. Payloads no rule matches are kept as they are.',
    '',
    'All or nothing, in one transaction with one audit row (graph.mirror). Mirroring again adds what is new: edges and',
    'channel versions are added, never removed (use kus edge block / kus channel remove), and the conditional edges',
    'of this channel and arch are replaced. A stored release with another digest stops the mirror (KUS_ERR_DIGEST_MISMATCH).',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  flags: {
    from: { type: 'string', valueName: 'URL|FILE', required: true, description: 'graph URL (http/https) or a saved JSON document' },
    channel: { type: 'string', valueName: 'C', required: true, description: 'the channel the document is the graph of, e.g. stable-4.9' },
    arch: { type: 'string', valueName: 'A', required: true, description: 'the architecture it was asked for, e.g. amd64 (served versions do not carry it)' },
    rewrite: {
      type: 'string', multiple: true, valueName: 'FROM=TO',
      description: 'rewrite payload repositories with prefix FROM to TO (repeatable), e.g. quay.io/openshift-release-dev/ocp-release=registry.local/ocp4/release',
    },
    'ca-file': { type: 'string', valueName: 'FILE', description: 'PEM CA certificates to trust for an https --from, besides the system ones' },
    ...targetFlags,
  },
  examples: [
    'kus mirror --from https://api.openshift.com/api/upgrades_info/v1/graph --channel stable-4.14 --arch amd64 \\\n' +
      '    --rewrite quay.io/openshift-release-dev/ocp-release=registry.local/ocp4/release --server https://kus.example --token "$KUS_TOKEN"',
    'kus mirror --from ./stable-4.14-amd64.json --channel stable-4.14 --arch amd64 --rewrite quay.io/openshift-release-dev=registry.local/ocp4',
  ],
  async run(ctx) {
    const channel = stringFlag(ctx.flags, 'channel')!;
    const arch = stringFlag(ctx.flags, 'arch')!;
    const rewriteTexts = listFlag(ctx.flags, 'rewrite');
    // Checked before anything is fetched: a typo in a rule must not cost a download.
    const rewrites = rewriteTexts.map(parseRewrite);
    const from = stringFlag(ctx.flags, 'from')!;
    const { document, source } = await withProgress(ctx, `mirroring ${channel} (${arch})`, (p) => {
      p.step(`reading ${from}`);
      return readServedGraph(from, { channel, arch }, { caFile: stringFlag(ctx.flags, 'ca-file') });
    });
    const request = { document, channel, arch, rewrites, source };
    const human = (where: string, outcome: Outcome<MirrorReport>) => (r: MirrorReport): string => [
      `${outcome.changed === false ? 'nothing new in' : 'mirrored'} ${r.source} into ${where} as ${r.channel} (${r.arch})`,
      `  releases: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged; ${r.edges} updates, ${r.conditionalEdges} conditional`,
      `  payloads rewritten: ${r.rewritten}`,
      '',
    ].join('\n');
    if (stringFlag(ctx.flags, 'server') === undefined) {
      // The Mirror service works on the store itself (one replace-merge transaction), so the local case opens it here.
      await withContext(storeOptions(ctx, true), async (context) => {
        const outcome = await withProgress(ctx, `mirroring ${channel} (${arch})`, (p) => {
          p.step(`merging into store ${quote(context.file)}`);
          return new Mirror({ store: context.store, rebuild: () => undefined }).apply(localActor(), request);
        });
        emit(ctx, outcome, human(`store ${quote(context.file)}`, outcome));
      });
      return;
    }
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome = await withProgress(ctx, `mirroring ${channel} (${arch})`, (p) => {
        p.step(`sending the graph to ${target.where}`);
        return target.client!.post<MirrorReport>('/mirror', { graph: document, channel, arch, rewrites: rewriteTexts, source });
      });
      emit(ctx, outcome, human(target.where, outcome));
    });
  },
};
