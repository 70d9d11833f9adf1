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

/** Owner 0/0 with empty names; mode 0644 (0755 for directories) and time 0 unless given. */
export function packTar(entries: readonly PackEntry[]): Promise<Buffer> {
  const out = pack();
  const bytes = collect(out);
  for (const e of entries) {
    const header = {
      name: e.name, type: e.type, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), mtime: e.mtime ?? new Date(0),
      uid: 0, gid: 0, uname: '', gname: '', ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    };
    if (e.type === 'file') out.entry(header, Buffer.from(e.body?.buffer ?? new ArrayBuffer(0), e.body?.byteOffset ?? 0, e.body?.byteLength ?? 0));
    else out.entry(header);
  }
  out.finalize();
  return bytes;
}
