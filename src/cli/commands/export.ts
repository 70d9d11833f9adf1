// `kus export`: write a local store's releases and graph-data as a graph-data directory.
import { DEFAULT_DB_FILE, openContext } from '../../context.js';
import { KusError } from '../../errors/index.js';
import { exportGraphData } from '../../services/graph-data-service.js';
import { stringFlag, targetFlags, writeJson, type Command } from '../command.js';

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
  ].join('\n'),
  flags: {
    'graph-data': { type: 'string', valueName: 'DIR', required: true, description: 'directory to write (created if missing)' },
    ...targetFlags,
    db: { ...targetFlags.db!, description: `local SQLite store to read (default ${DEFAULT_DB_FILE})` },
  },
  examples: [
    'kus export --graph-data ./graph-data-backup',
    'kus export --db /var/lib/kus/kus.db --graph-data ~/src/graph-data && git -C ~/src/graph-data diff',
  ],
  async run(ctx) {
    if (stringFlag(ctx.flags, 'server') !== undefined) {
      throw new KusError('KUS_ERR_USAGE', 'kus export --server is not supported yet; export from a local store with --db');
    }
    const ctxStore = openContext({ db: stringFlag(ctx.flags, 'db') ?? DEFAULT_DB_FILE });
    try {
      const report = exportGraphData(ctxStore.store, stringFlag(ctx.flags, 'graph-data')!);
      if (ctx.json) {
        writeJson(ctx.stdout, { db: ctxStore.store.file, ...report });
        return;
      }
      ctx.stdout.write(`exported ${ctxStore.store.file} to ${report.dir}\n`);
      ctx.stdout.write(`  schema ${report.schemaVersion}: ${report.releases} releases, ${report.channels} channels, ` +
        `${report.blockedEdges} blocked edges, ${report.conditionalEdges} conditional edges, ${report.rawMetadata} raw metadata entries\n`);
    } finally {
      ctxStore.close();
    }
  },
};
