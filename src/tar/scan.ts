// Streams any tar archive (ustar, pax, GNU and old GNU, v7) through tar-stream and hands the caller the bodies of the
// entries it asks for. Used for image layers, whose writers KUS does not control.
import { extract, type Extract, type Header } from 'tar-stream';

export interface TarEntry {
  /** Path as stored (after pax / GNU long names), with a leading "./" or "/" removed. */
  path: string;
  /** tar-stream's name for the type ('file', 'directory', 'symlink', 'link', 'contiguous-file', ...); 'unknown' otherwise. */
  type: string;
  size: number;
}

export interface TarVisitor {
  /** Return the most bytes to collect of this entry's body, or 0 to skip it. */
  wants(entry: TarEntry): number;
  /** The body of a wanted entry; `truncated` when it was larger than what was asked for. */
  file(entry: TarEntry, body: Buffer, truncated: boolean): void;
}

export interface ScanOptions {
  /** Makes the error for an archive that is not tar or is cut short (the caller knows what the archive was). */
  fail: (why: string) => Error;
  /** Accept headers without the ustar or GNU magic (v7 tar); default false. */
  allowUnknownFormat?: boolean;
}

export const cleanTarPath = (p: string): string => p.replace(/^(?:\.?\/)+/, '');

/** tar-stream's messages, said the way KUS reports a damaged archive. */
export function tarProblem(err: Error, openEntry: string | undefined): string {
  const m = err.message;
  if (m === 'Unexpected end of data') return openEntry === undefined ? 'it ends inside a header block (truncated?)' : `it ends inside the entry ${JSON.stringify(openEntry)} (truncated?)`;
  if (m.startsWith('Invalid tar header. Maybe')) return 'a header checksum does not match';
  if (m === 'Invalid tar header: unknown format.') return 'an entry header is neither ustar nor GNU tar';
  return m;
}

/** Writes chunks into the extractor with back-pressure; resolves once it has parsed everything, rejects on its error. */
export async function feed(x: Extract, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, onTarError: (err: Error) => Error): Promise<void> {
  let failure: Error | undefined;
  x.on('error', (err: Error) => {
    failure ??= err;
  });
  const closed = new Promise<void>((resolve) => x.once('close', () => resolve()));
  const settled = (): boolean => failure !== undefined || x.destroyed;
  try {
    for await (const chunk of source) {
      if (settled()) continue; // keep reading: the caller may hash every byte of the source
      if (!x.write(chunk)) await new Promise<void>((resolve) => {
        x.once('drain', () => resolve());
        x.once('close', () => resolve());
      });
    }
  } catch (err) {
    // The source failed (a cut gzip stream, a dropped connection): its error, not a verdict on the archive.
    x.destroy();
    throw err;
  }
  if (!settled()) x.end(null);
  await closed;
  if (failure) throw onTarError(failure);
}

/** Reads the whole archive; the visitor sees every entry (directories, links, files) in order. */
export async function scanTar(source: AsyncIterable<Uint8Array>, visitor: TarVisitor, options: ScanOptions): Promise<void> {
  // tar-stream reads this option, but its type declarations do not list it.
  const x = extract({ allowUnknownFormat: options.allowUnknownFormat === true } as Parameters<typeof extract>[0]);
  let open: string | undefined;
  let visitorError: Error | undefined;
  x.on('entry', (header: Header, body, next) => {
    const entry: TarEntry = { path: cleanTarPath(header.name), type: header.type ?? 'unknown', size: header.size ?? 0 };
    open = entry.path;
    const keep = visitor.wants(entry);
    const chunks: Buffer[] = [];
    let kept = 0;
    body.on('data', (chunk: unknown) => {
      if (kept >= keep) return;
      const part = Buffer.from((chunk as Buffer).subarray(0, keep - kept));
      chunks.push(part);
      kept += part.length;
    });
    body.on('end', () => {
      open = undefined;
      try {
        if (keep > 0) visitor.file(entry, Buffer.concat(chunks), entry.size > keep);
        next();
      } catch (err) {
        visitorError = err as Error;
        next(visitorError);
      }
    });
  });
  // A visitor's own error passes through unchanged; only tar-stream's are rephrased.
  await feed(x, source, (err) => (err === visitorError ? err : options.fail(tarProblem(err, open))));
}
