// `kus bundle export`: one signed, checksummed archive carrying graph-data, signatures and ConfigMaps to a disconnected site.
import { packageVersion } from '../../config/index.js';
import { withContext } from '../../compose/index.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { exportBundle } from '../../services/bundle.js';
import { passphraseSource } from '../../services/keys.js';
import { listFlag, stringFlag, targetFlags, writeJson, storeOptions, type Command } from '../command.js';
import { withProgress } from '../progress.js';

export const command: Command = {
  path: ['bundle', 'export'],
  summary: 'write a signed bundle of graph-data, signatures and ConfigMaps for a disconnected site',
  description: [
    'Writes --out, a gzip\'d tar holding:',
    '  graph-data/      the graph-data tree as "kus export" writes it (releases/ included), with',
    '                   signatures/sha256/<hex>/signature-N of its releases and signatures/keys/NAME.asc',
    '  configmaps/      signatures.yaml (signature ConfigMaps for openshift-config-managed) and verifier.yaml',
    '                   (the verifier ConfigMap of the active keys, or of the --verifier-key keys, with --store-url',
    '                   as its signature store)',
    '  manifest.json    the SHA-256 and size of every file above',
    '  manifest.json.sig  a detached OpenPGP signature of manifest.json by an active key',
    '',
    'With --channel (repeatable) only those channels and the releases they list go in; with --arch only releases of',
    'those architectures. Blocked and conditional edges and raw metadata always go in whole. At the site,',
    '"kus bundle import FILE" checks everything and makes the site\'s graph the bundle\'s.',
    '',
    'A cluster accepts a release only when every key of its verifier ConfigMap signed it. So the export is refused',
    '(KUS_ERR_UNSIGNED, naming the releases and the keys they lack) when a signed release in the bundle lacks a',
    'signature by one of the verifier\'s keys: sign it with that key, or name the keys the verifier should carry with',
    '--verifier-key. Releases with no signature at all go in, and are listed as unsigned.',
    '',
    'The manifest is signed with the first active key whose private part KUS holds, unlocked with --passphrase-file',
    'or KUS_SIGNING_PASSPHRASE. Local store (--db) only.',
  ].join('\n'),
  flags: {
    out: { type: 'string', valueName: 'FILE', required: true, description: 'the bundle to write, e.g. kus-bundle.tar.gz (replaced atomically)' },
    channel: { type: 'string', multiple: true, valueName: 'C', description: 'only this channel and its releases (repeatable)' },
    arch: { type: 'string', multiple: true, valueName: 'A', description: 'only releases of this architecture (repeatable)' },
    'store-url': {
      type: 'string', valueName: 'URL', required: true,
      description: 'the signature store URL clusters at the site use (https://<site kus>/api/upgrades_info/signatures), for the verifier ConfigMap',
    },
    'verifier-key': {
      type: 'string', multiple: true, valueName: 'NAME',
      description: 'a key the verifier ConfigMap carries (repeatable; default: every active key); each must have signed every signed release',
    },
    'passphrase-file': { type: 'string', valueName: 'FILE', description: 'file whose first line unlocks the signing key (default: env KUS_SIGNING_PASSPHRASE)' },
    db: targetFlags.db!,
  },
  examples: [
    'kus bundle export --out kus-bundle.tar.gz --channel stable-4.9 --arch arm64 --store-url https://kus.site.example/api/upgrades_info/signatures',
    'kus bundle export --out kus-bundle.tar.gz --verifier-key kylin-2026 --store-url https://kus.site.example/api/upgrades_info/signatures',
  ],
  async run(ctx) {
    const out = stringFlag(ctx.flags, 'out')!;
    await withContext(storeOptions(ctx, false), async (context) => {
      const { bytes, report } = await withProgress(ctx, `exporting a bundle to ${out}`, () => exportBundle(context.store, {
        channels: listFlag(ctx.flags, 'channel'),
        arches: listFlag(ctx.flags, 'arch'),
        storeUrl: stringFlag(ctx.flags, 'store-url')!,
        passphrase: passphraseSource({ file: stringFlag(ctx.flags, 'passphrase-file'), env: ctx.env }),
        creator: `Kylin Update Service ${packageVersion()}`,
        verifierKeys: listFlag(ctx.flags, 'verifier-key'),
      }));
      writeFileAtomic(out, bytes);
      if (ctx.json) writeJson(ctx.stdout, { out, bytes: bytes.length, ...report });
      else {
        ctx.stdout.write(`wrote ${out} (${bytes.length} bytes), signed by ${report.signedBy}\n`);
        ctx.stdout.write(`  ${report.releases} releases, ${report.channels} channels, ${report.signatures} signatures, ${report.files} files\n`);
        ctx.stdout.write(`  verifier ConfigMap keys: ${report.verifierKeys.join(', ')}\n`);
        if (report.unsigned.length > 0) {
          ctx.stderr.write(`warning: ${report.unsigned.length} releases have no signature; clusters that verify will not update to them: ${report.unsigned.join(', ')}\n`);
        }
      }
    });
  },
};
