// A streaming tar reader (ustar, pax and GNU long names) that hands over the bodies of the entries a caller wants.
import { KusError } from '../errors/index.js';

const BLOCK = 512;

export interface TarEntry {
  /** Path as stored, with a leading "./" or "/" removed. */
  path: string;
  /** '0' regular file, '1' hard link, '2' symlink, '5' directory, ... (a NUL type byte reads as '0'). */
  type: string;
  size: number;
}

export interface TarVisitor {
  /** Return the most bytes to collect of this entry's body, or 0 to skip it. */
  wants(entry: TarEntry): number;
  /** The body of a wanted entry; `truncated` when it was larger than what was asked for. */
  file(entry: TarEntry, body: Buffer, truncated: boolean): void;
}

type State =
  | { kind: 'header' }
  | { kind: 'body'; entry: TarEntry; remaining: number; padding: number; keep: number; kept: number; chunks: Buffer[]; use: 'file' | 'pax' | 'longname' | 'skip' }
  | { kind: 'end' };

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

/** Numeric header fields: octal text, or GNU base-256 (high bit of the first byte set) for large values. */
function readNumber(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = readString(block, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw notTar(`a numeric header field reads ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function notTar(why: string): KusError {
  return new KusError('KUS_ERR_NOT_A_RELEASE', `layer is not a tar archive: ${why}`);
}

function checksumOk(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

/** `path` and `size` of a pax extended header ("%d key=value\n" records). */
function parsePax(body: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    if (space < 0) break;
    const length = parseInt(body.subarray(i, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) throw notTar('a pax header record has no length');
    const record = body.subarray(space + 1, i + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    i += length;
  }
  return out;
}

const cleanPath = (p: string): string => p.replace(/^(?:\.?\/)+/, '');

/** Feed it the bytes of an uncompressed tar with push(); it reports wanted entries to the visitor. */
export class TarReader {
  private state: State = { kind: 'header' };
  private pending: Buffer = Buffer.alloc(0);
  private zeroBlocks = 0;
  /** Overrides from a pax 'x' header or a GNU 'L' long name, for the next entry only. */
  private next: { path?: string; size?: number } = {};

  constructor(private readonly visitor: TarVisitor) {}

  /** True once the end-of-archive blocks were read; later bytes (padding to a record size) are ignored. */
  get ended(): boolean {
    return this.state.kind === 'end';
  }

  push(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && this.state.kind !== 'end') {
      if (this.state.kind === 'header') {
        if (data.length < BLOCK) {
          this.pending = Buffer.from(data);
          return;
        }
        this.header(data.subarray(0, BLOCK));
        data = data.subarray(BLOCK);
        continue;
      }
      const body = this.state;
      if (body.remaining > 0) {
        const n = Math.min(body.remaining, data.length);
        if (body.use !== 'skip' && body.kept < body.keep) {
          const part = Buffer.from(data.subarray(0, Math.min(n, body.keep - body.kept)));
          body.chunks.push(part);
          body.kept += part.length;
        }
        body.remaining -= n;
        data = data.subarray(n);
      }
      if (body.remaining === 0) {
        const n = Math.min(body.padding, data.length);
        body.padding -= n;
        data = data.subarray(n);
        if (body.padding === 0) this.finishEntry(body);
      }
    }
  }

  /** Call after the last chunk: an archive cut inside an entry is an error; a missing end-of-archive marker is not. */
  end(): void {
    if (this.state.kind === 'body') {
      if (this.state.remaining > 0) throw notTar(`it ends inside the entry ${JSON.stringify(this.state.entry.path)}`);
      // Only the padding of the last entry is missing (some writers do not pad the final record): its body is whole.
      this.finishEntry(this.state);
    }
    if (this.pending.length > 0 && this.pending.some((b) => b !== 0)) throw notTar('it ends inside a header block');
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      // Two zero blocks end the archive; one alone is tolerated, as GNU tar does.
      if (++this.zeroBlocks >= 2) this.state = { kind: 'end' };
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(block)) throw notTar('a header checksum does not match');
    const typeByte = block[156]!;
    const type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
    let name = readString(block, 0, 100);
    if (readString(block, 257, 5) === 'ustar') {
      const prefix = readString(block, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const size = this.next.size ?? readNumber(block, 124, 12);
    const entry: TarEntry = { path: cleanPath(this.next.path ?? name), type, size };
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    let use: 'file' | 'pax' | 'longname' | 'skip' = 'skip';
    let keep = 0;
    if (type === 'x' || type === 'L') {
      use = type === 'x' ? 'pax' : 'longname';
      keep = size;
      if (size > 1024 * 1024) throw notTar(`an extended header of ${size} bytes`);
    } else {
      this.next = {};
      // Global pax headers ('g') and every other type are skipped; wants() decides for the entry types it knows.
      if (type !== 'g') {
        keep = this.visitor.wants(entry);
        if (keep > 0) use = 'file';
      }
    }
    this.state = { kind: 'body', entry, remaining: size, padding, keep, kept: 0, chunks: [], use };
    if (size === 0 && padding === 0) this.finishEntry(this.state);
  }

  private finishEntry(body: Extract<State, { kind: 'body' }>): void {
    const data = Buffer.concat(body.chunks);
    if (body.use === 'pax') this.next = parsePax(data);
    else if (body.use === 'longname') this.next = { ...this.next, path: readString(data, 0, data.length) };
    else if (body.use === 'file') this.visitor.file(body.entry, data, body.entry.size > body.keep);
    this.state = { kind: 'header' };
  }
}
