// `kus export`: write a local store's releases and graph-data as a graph-data directory.
import { DEFAULT_DB_FILE, withContext } from '../../compose/index.js';
import { exportGraphData } from '../../services/graph-data-service.js';
import { stringFlag, targetFlags, writeJson, storeOptions, type Command } from '../command.js';

export const command: Command = {
  path: ['export'],
  summary: 'write the store\'s releases and graph-data as a graph-data directory',
  description: [
    'Writes version, raw/metadata.json, channels/*.yaml, blocked-edges/*.yaml and releases/*.yaml (KUS\'s',
    'extension, see docs/graph-data.md) under --graph-data, keeping the original file names and the keys the graph',
    'does not use (feeder, tombstones, fixedIn...). "kus import" of the result gives back the same store content.',
    '',
    'Each file is written atomically. In an existing directory only the files export owns are replaced: .yaml',
    'files of the three folders that the store no longer holds are removed, everything else (_OWNERS, README.md,',
    'LICENSE, .yml files, other folders) is left alone, so a git checkout of a graph-data repository can be the',
    'target.',
    '',
    'Signatures go to signatures/sha256/<hex>/signature-N (the layout upstream\'s metadata-helper serves), the public',
    'keys to signatures/keys/NAME.asc. With --cvo-store DIR, signatures are also written in the layout of a cluster\'s',
    'file:// signature store, DIR/sha256=<hex>/signature-N.',
  ].join('\n'),
  flags: {
    'graph-data': { type: 'string', valueName: 'DIR', required: true, description: 'directory to write (created if missing)' },
    'cvo-store': { type: 'string', valueName: 'DIR', description: 'also write signatures as a cluster file:// store: DIR/sha256=<hex>/signature-N' },
    db: { ...targetFlags.db!, description: `local SQLite store to read (default ${DEFAULT_DB_FILE})` },
  },
  examples: [
    'kus export --graph-data ./graph-data-backup',
    'kus export --db /var/lib/kus/kus.db --graph-data ~/src/graph-data && git -C ~/src/graph-data diff',
  ],
  async run(ctx) {
    await withContext(storeOptions(ctx, false), async (ctxStore) => {
      const cvoStore = stringFlag(ctx.flags, 'cvo-store');
      const report = exportGraphData(ctxStore.store, stringFlag(ctx.flags, 'graph-data')!, cvoStore === undefined ? {} : { cvoStore });
      if (ctx.json) {
        writeJson(ctx.stdout, { db: ctxStore.file, ...report });
        return;
      }
      ctx.stdout.write(`exported ${ctxStore.file} to ${report.dir}\n`);
      ctx.stdout.write(`  schema ${report.schemaVersion}: ${report.releases} releases, ${report.channels} channels, ` +
        `${report.blockedEdges} blocked edges, ${report.conditionalEdges} conditional edges, ${report.rawMetadata} raw metadata entries\n`);
      if (report.signatures > 0 || report.keys > 0) ctx.stdout.write(`  ${report.signatures} signatures, ${report.keys} public keys under signatures/\n`);
      if (report.cvoStore !== undefined) ctx.stdout.write(`  ${report.signatures} signatures in ${report.cvoStore} (cluster store layout)\n`);
    });
  },
};
