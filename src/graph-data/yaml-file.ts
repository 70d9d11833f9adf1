// Reads one graph-data YAML file as a single mapping, reporting why a file is unusable instead of throwing.
import { parseAllDocuments } from 'yaml';
import type { ProblemList } from './problem.js';
import { RecentMemo } from './recent-memo.js';
import type { GraphDataTree } from './tree.js';

export type YamlMapping = Record<string, unknown>;

export function isMapping(value: unknown): value is YamlMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short name for the type of a parsed value, for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** What a file's text parses to: its mapping, or why it is not one (the file is named when reported). */
type Parsed = { value: YamlMapping } | { problem: string };

/**
 * Parsed files by their text. A replica receives the whole graph-data at each sync, and most files are those it
 * parsed the time before: YAML parsing was the largest part of a sync at upstream scale (8,000 files, seconds). The
 * build worker keeps one across the syncs it runs; it holds what the last two reads parsed (recent-memo.ts), so its
 * size is bounded by the archive limit whatever a primary sends. Parsed mappings are cloned out, so no reader can change
 * a cached one; what a reader made of a file whose bytes did not change is shared, frozen (reuse, keep).
 */
export class YamlMemo {
  private readonly parsed = new RecentMemo<Parsed>();
  private readonly files = new RecentMemo<{ bytes: Uint8Array; value: unknown }>();
  /** Files the current read had to parse: those the last two reads did not hold. */
  parsedInRead = 0;

  /** Called as a read starts. */
  startRead(): void {
    this.parsed.startRound();
    this.files.startRound();
    this.parsedInRead = 0;
  }

  /**
   * What the reader made of `file` at one of the last two reads, when its bytes are the same now: the same object,
   * not a copy. A replica's sync then neither decodes, parses nor clones the thousands of files that did not change,
   * and its build finds the same release and edge objects as the last one (compared by identity before content).
   * Measured at upstream scale: reading the archive's 8,000 files and their garbage were most of a sync's CPU.
   * Nothing changes a value read from graph-data (a primary's writes reuse their held input the same way).
   */
  reuse<T>(file: string, bytes: Uint8Array): T | undefined {
    return this.files.reuse(file, (kept) => Buffer.compare(kept.bytes, bytes) === 0)?.value as T | undefined;
  }

  /**
   * `value` is what the reader made of `file` without a problem. It is frozen, deeply: shared from read to read, it
   * must never change, and the store trusts what it wrote from frozen values (store.ts, replaceAll).
   */
  keep(file: string, bytes: Uint8Array, value: unknown): void {
    // A copy: a view would keep the whole archive it came from alive, for as long as this file does not change.
    this.files.set(file, { bytes: new Uint8Array(bytes), value: deepFreeze(value) });
  }

  get(text: string): Parsed {
    const hit = this.parsed.get(text, () => {
      this.parsedInRead++;
      return parseMapping(text);
    });
    return 'value' in hit ? { value: structuredClone(hit.value) } : hit;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function parseMapping(text: string): Parsed {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length === 0) return { problem: 'is empty (expected a YAML mapping)' };
  if (docs.length > 1) return { problem: `holds ${docs.length} YAML documents; exactly one is expected` };
  const doc = docs[0]!;
  const first = doc.errors[0];
  if (first) return { problem: `is not valid YAML: ${first.message.split('\n')[0]!.replace(/:$/, '')}` };
  let value: unknown;
  try {
    // The yaml library refuses excessive aliases (a "billion laughs" file) here, at conversion, not while parsing.
    value = doc.toJS();
  } catch (err) {
    return { problem: `cannot be read as YAML: ${(err as Error).message}` };
  }
  if (!isMapping(value)) return { problem: `is not a YAML mapping (found ${describeType(value)})` };
  return { value };
}

/** Parses `file` of the tree; returns null (after reporting with `refuse`) when it is not exactly one YAML mapping. */
export function readYamlMapping(tree: GraphDataTree, file: string, problems: ProblemList, memo?: YamlMemo): YamlMapping | null {
  let text: string;
  try {
    text = tree.readText(file);
  } catch (err) {
    problems.refuse(file, `cannot be read: ${(err as Error).message}`);
    return null;
  }
  const parsed = memo ? memo.get(text) : parseMapping(text);
  if ('problem' in parsed) {
    problems.refuse(file, parsed.problem);
    return null;
  }
  return parsed.value;
}
