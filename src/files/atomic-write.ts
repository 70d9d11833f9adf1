// Writes a file so readers never see half of it: a temp file in the same directory, flushed, then renamed over.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';

export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  // A leading dot keeps a temp file left by a crash out of the graph-data scan (dot files are skipped).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new KusError('KUS_ERR_IO', `cannot write ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
}
