// `kus signature configmap`: signature ConfigMaps as `oc` builds them, for `oc apply -f -` (clusters check these first).
import { KusError } from '../../errors/index.js';
import { renderManifests, requireDigest, signatureConfigMap } from '../../signatures/index.js';
import { writeJson, targetFlags, type Command } from '../command.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['signature', 'configmap'],
  summary: 'print signature ConfigMaps for oc apply -f - (one digest, or --all)',
  description: [
    'Prints, per digest, the ConfigMap a cluster reads signatures from before any store: namespace',
    'openshift-config-managed, label release.openshift.io/verification-signatures: "", name sha256-<hex>, binaryData',
    'keys sha256-<hex>-1, -2, ... (what "oc adm release mirror" creates). With --all, every signed digest, as a',
    'multi-document YAML stream. Applying them lets a cluster verify a release without reaching any store',
    '(disconnected clusters). --json prints a v1 List instead.',
  ].join('\n'),
  positionals: [{ name: 'DIGEST', description: 'sha256:<64 hex> of the release payload' }],
  flags: {
    all: { type: 'boolean', description: 'every digest that has signatures' },
    ...targetFlags,
  },
  examples: ['kus signature configmap sha256:3f1c…9a | oc apply -f -', 'kus signature configmap --all > signatures.yaml'],
  async run(ctx) {
    const digest = ctx.positionals[0];
    const all = ctx.flags.all === true;
    if ((digest === undefined) === !all) throw new KusError('KUS_ERR_USAGE', 'give a DIGEST or --all (see "kus signature configmap --help")');
    const wanted = digest === undefined ? undefined : requireDigest(digest);
    await withSigningTarget(ctx, { create: false }, async (target) => {
      const files = await target.signatureFiles(wanted);
      if (wanted !== undefined && files.length === 0) {
        throw new KusError('KUS_ERR_NOT_FOUND', `there is no signature for ${wanted}; sign the release first (kus release sign VERSION+ARCH)`, { digest: wanted });
      }
      const byDigest = new Map<string, typeof files>();
      for (const f of files) byDigest.set(f.digest, [...(byDigest.get(f.digest) ?? []), f]);
      const maps = [...byDigest].map(([d, list]) => signatureConfigMap(d, list));
      if (ctx.json) writeJson(ctx.stdout, { apiVersion: 'v1', kind: 'List', items: maps });
      else if (maps.length === 0) ctx.stderr.write('no signatures are stored: nothing to print\n');
      else ctx.stdout.write(renderManifests(maps));
    });
  },
};
