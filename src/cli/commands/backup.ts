// `kus backup`: a consistent copy of the local store, safe while `kus serve` runs on it.
import { DEFAULT_DB_FILE } from '../../compose/index.js';
import { backup } from '../../services/backup.js';
import { stringFlag, targetFlags, writeJson, type Command } from '../command.js';

export const command: Command = {
  path: ['backup'],
  summary: 'copy the store to a file, consistently, even while a server runs on it',
  description: [
    'Copies the SQLite store with SQLite\'s online backup API: one consistent state of the store, including',
    'every commit still in its write-ahead log (kus.db-wal). Copying kus.db with cp is not a backup: the latest',
    'writes live in kus.db-wal until SQLite folds them in.',
    '',
    'Safe while "kus serve" runs on the store and keeps writing: the copy is one snapshot, taken without',
    'stopping the server. The copy is written beside --out, checked with PRAGMA quick_check and then renamed',
    'to --out, so --out is either a complete, sound backup or untouched. The backup is a single file (no',
    '-wal) that "kus restore --from" takes back, or that --db can name directly.',
  ].join('\n'),
  flags: {
    out: { type: 'string', valueName: 'FILE', required: true, description: 'file to write the backup to (replaced if it exists)' },
    db: { ...targetFlags.db!, description: `local SQLite store to back up (default ${DEFAULT_DB_FILE})` },
  },
  examples: [
    'kus backup --db /var/lib/kus/kus.db --out /backup/kus-$(date +%F).db',
    'kus backup --out kus-before-upgrade.db --json',
  ],
  async run(ctx) {
    const report = await backup(stringFlag(ctx.flags, 'db') ?? DEFAULT_DB_FILE, stringFlag(ctx.flags, 'out')!);
    if (ctx.json) {
      writeJson(ctx.stdout, report);
      return;
    }
    ctx.stdout.write(`backed up ${report.db} to ${report.out} (${report.bytes} bytes, schema ${report.schema}: ` +
      `${report.releases} releases, ${report.signatures} signatures)\n`);
  },
};
