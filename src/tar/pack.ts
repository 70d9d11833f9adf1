// Writes a tar archive of the given entries, in the given order, with tar-stream (ustar headers; pax for names
// ustar cannot hold). No checks: writeTar (archive.ts) adds KUS's, and tests use this to build image layers.
import { pack, type Pack } from 'tar-stream';

export interface PackEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  mode?: number;
  mtime?: Date;
  body?: Uint8Array;
  linkname?: string;
}

function collect(stream: Pack): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Owner 0/0 with empty names; mode 0644 (0755 for directories) and time 0 unless given. Each entry is handed over once
 * the one before it is written: tar-stream queues entries given ahead in an array it takes from the front
 * (`Array.shift`), which at a signed upstream-scale archive's 14,000 entries was most of the time packing took.
 */
export async function packTar(entries: readonly PackEntry[]): Promise<Buffer> {
  const out = pack();
  const bytes = collect(out);
  for (const e of entries) {
    const header = {
      name: e.name, type: e.type, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), mtime: e.mtime ?? new Date(0),
      uid: 0, gid: 0, uname: '', gname: '', ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    };
    const body = e.type === 'file' ? Buffer.from(e.body?.buffer ?? new ArrayBuffer(0), e.body?.byteOffset ?? 0, e.body?.byteLength ?? 0) : undefined;
    const written = new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body === undefined) out.entry(header, done);
      else out.entry(header, body, done);
    });
    // A stream that failed may never call an entry back: its error ends the wait.
    await Promise.race([written, bytes]);
  }
  out.finalize();
  return bytes;
}
