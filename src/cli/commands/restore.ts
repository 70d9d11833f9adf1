// `kus restore`: replace the local store with a backup made by `kus backup`, after checking the backup.
import { DEFAULT_DB_FILE } from '../../compose/index.js';
import { restore } from '../../services/backup.js';
import { stringFlag, targetFlags, writeJson, type Command } from '../command.js';

export const command: Command = {
  path: ['restore'],
  summary: 'replace the store with a backup (stop the server first)',
  description: [
    'Replaces the store --db with the backup --from (a file written by "kus backup").',
    '',
    'The backup is checked first: PRAGMA quick_check must find nothing, and it must be a KUS store of a schema',
    'this KUS knows. A damaged or foreign file is refused and the store is left as it was.',
    '',
    'Restore refuses while another process has the store open: stop "kus serve" (and any replica or CLI',
    'command on that file), restore, then start the server again; it builds its graph from the restored store.',
    'The restored content is written beside the store and renamed over it, so the store is at every moment',
    'either the old one or the complete new one. The old store\'s write-ahead log is folded into the old file',
    'first, so no stale kus.db-wal is left to be replayed onto the new one.',
  ].join('\n'),
  flags: {
    from: { type: 'string', valueName: 'FILE', required: true, description: 'backup to restore (written by "kus backup")' },
    db: { ...targetFlags.db!, description: `local SQLite store to replace (default ${DEFAULT_DB_FILE}); created if missing` },
  },
  examples: [
    'systemctl stop kus && kus restore --db /var/lib/kus/kus.db --from /backup/kus-2026-12-01.db && systemctl start kus',
  ],
  async run(ctx) {
    const report = await restore(stringFlag(ctx.flags, 'db') ?? DEFAULT_DB_FILE, stringFlag(ctx.flags, 'from')!);
    if (ctx.json) {
      writeJson(ctx.stdout, report);
      return;
    }
    const before = report.replaced === null ? 'a new store'
      : `the previous store (${report.replaced.releases === null ? 'unreadable' : `${report.replaced.releases} releases`})`;
    ctx.stdout.write(`restored ${report.from} to ${report.db}, replacing ${before}: schema ${report.schema}, ` +
      `${report.releases} releases, ${report.signatures} signatures\n`);
  },
};
