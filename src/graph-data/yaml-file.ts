// Reads one graph-data YAML file as a single mapping, reporting why a file is unusable instead of throwing.
import { parseAllDocuments } from 'yaml';
import type { ProblemList } from './problem.js';
import { readTreeFile } from './tree-file.js';

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

/** Parses `root/file`; returns null (after reporting with `refuse`) when it is not exactly one YAML mapping. */
export function readYamlMapping(root: string, file: string, problems: ProblemList): YamlMapping | null {
  let text: string;
  try {
    text = readTreeFile(root, file);
  } catch (err) {
    problems.refuse(file, `cannot be read: ${(err as Error).message}`);
    return null;
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length === 0) {
    problems.refuse(file, 'is empty (expected a YAML mapping)');
    return null;
  }
  if (docs.length > 1) {
    problems.refuse(file, `holds ${docs.length} YAML documents; exactly one is expected`);
    return null;
  }
  const doc = docs[0]!;
  const first = doc.errors[0];
  if (first) {
    problems.refuse(file, `is not valid YAML: ${first.message.split('\n')[0]!.replace(/:$/, '')}`);
    return null;
  }
  let value: unknown;
  try {
    // The yaml library refuses excessive aliases (a "billion laughs" file) here, at conversion, not while parsing.
    value = doc.toJS();
  } catch (err) {
    problems.refuse(file, `cannot be read as YAML: ${(err as Error).message}`);
    return null;
  }
  if (!isMapping(value)) {
    problems.refuse(file, `is not a YAML mapping (found ${describeType(value)})`);
    return null;
  }
  return value;
}
