// `kus bundle import`: check a bundle (checksums, manifest signature by a trusted key, graph-data) and apply it at once.
import { readFileSync } from 'node:fs';
import { withContext } from '../../compose/index.js';
import { KusError, quote } from '../../errors/index.js';
import { importBundle } from '../../services/bundle.js';
import { storeOptions, targetFlags, type Command } from '../command.js';
import { localActor } from '../local-target.js';
import { emit } from '../output.js';
import { withProgress } from '../progress.js';

export const command: Command = {
  path: ['bundle', 'import'],
  summary: 'check a bundle made by "kus bundle export" and make this store\'s graph the bundle\'s',
  description: [
    'Checks, before anything is written: the archive reads whole; every file has the SHA-256 and size manifest.json',
    'lists and no file was added; manifest.json.sig is a valid detached signature by a key this store trusts (import',
    'the vendor\'s public key first: kus key import VENDOR.asc); the graph-data reads strictly and builds; every',
    'signature is a valid signed claim of its digest. Any failure changes nothing and says what was wrong.',
    '',
    'Then, in one transaction with one audit row: the store\'s releases, channels, edges and raw metadata become the',
    'bundle\'s, and its signatures are added (stored ones are kept). Importing the same bundle again changes nothing.',
    'The ConfigMaps in configmaps/ are for clusters: extract them with tar and oc apply them.',
    '',
    'Local store (--db) only. A "kus serve" on the same file serves the import after a restart.',
  ].join('\n'),
  positionals: [{ name: 'FILE', required: true, description: 'the bundle (kus-bundle.tar.gz)' }],
  flags: { db: targetFlags.db! },
  examples: ['kus key import vendor-release-key.asc --db /var/lib/kus/kus.db', 'kus bundle import kus-bundle.tar.gz --db /var/lib/kus/kus.db'],
  async run(ctx) {
    const file = ctx.positionals[0]!;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new KusError('KUS_ERR_IO', `cannot read ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
    }
    await withContext(storeOptions(ctx, true), async (context) => {
      const outcome = await withProgress(ctx, `importing ${file}`, (p) => {
        p.step('checking the manifest, signatures and graph-data');
        return importBundle(context.store, bytes, { actor: localActor(), source: file });
      });
      emit(ctx, outcome, (r) => [
        outcome.changed
          ? `imported ${file} into store ${quote(context.file)}`
          : `${file} is already imported into store ${quote(context.file)}; nothing changed`,
        `  made ${r.createdAt} by ${r.creator}, signed by ${r.signedBy}`,
        `  ${r.releases} releases, ${r.channels} channels${r.graphReplaced ? ' (graph replaced)' : ''}; signatures: ${r.signatures.added} added of ${r.signatures.read}`,
        '',
      ].join('\n'));
    });
  },
};
