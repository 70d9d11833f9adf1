// Import and export of graph-data (+ releases) between a directory and the store: strict reading, one transaction.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import {
  archProblem, parseRawGraph, payloadDigest, releasesFromRawGraph, type GraphData, type Release,
} from '../graph/index.js';
import { formatProblems, readGraphData, releaseFileName, writeGraphData, type Problem } from '../graph-data/index.js';
import type { Store } from '../store/index.js';
import { releaseFileOf, trialBuild } from './trial-build.js';
import { exportCvoStore, exportSignatures, storeImportedSignatures, type SignatureImport } from './signature-files.js';

export interface ImportOptions {
  graphDataDir: string;
  /** A graph-builder JSON document (e.g. graph-gb-raw.json) whose nodes and edges become releases. */
  rawFile?: string;
  /** Recorded in the audit row. */
  actor?: string;
  /** Signatures read and checked beforehand (readSignaturesForImport): added in the same transaction, never replacing. */
  signatures?: SignatureImport;
}

/** Something tolerated on the way in, named by the file (or build step) it comes from. */
export interface ImportWarning {
  file: string;
  reason: string;
}

export interface GraphDataCounts {
  schemaVersion: string;
  releases: number;
  channels: number;
  blockedEdges: number;
  conditionalEdges: number;
  rawMetadata: number;
}

export interface ImportReport extends GraphDataCounts {
  graphDataDir: string;
  rawFile: string | null;
  warnings: ImportWarning[];
  /** Present when a signatures directory was read: files read, and how many were new to the store. */
  signatures?: { read: number; added: number };
}

export interface ExportReport extends GraphDataCounts {
  dir: string;
  /** Signature files written under signatures/ (and public keys under signatures/keys/). */
  signatures: number;
  keys: number;
  /** Set when the cluster's file:// store layout was written too. */
  cvoStore?: string;
}

function counts(graphData: GraphData, releases: readonly Release[]): GraphDataCounts {
  return {
    schemaVersion: graphData.schemaVersion,
    releases: releases.length,
    channels: graphData.channels.length,
    blockedEdges: graphData.blockedEdges.length,
    conditionalEdges: graphData.conditionalEdges.length,
    rawMetadata: graphData.rawMetadata.length,
  };
}

function refuse(source: string, errors: readonly Problem[]): never {
  const n = errors.length;
  throw new KusError('KUS_ERR_GRAPH_DATA', `refusing to import ${quote(source)}: ${n} ${n === 1 ? 'error' : 'errors'}\n${formatProblems(errors)}`, {
    problems: errors.map(({ file, reason }) => ({ file, reason })),
  });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KusError('KUS_ERR_RAW_GRAPH', `${quote(file)} is not JSON: ${(err as Error).message}`, { file }, { cause: err });
  }
}

/** A release must survive export and re-import: by-digest payload, usable arch, one release per node version. */
function releaseProblems(source: string, releases: readonly Release[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, Release>();
  for (const r of releases) {
    const node = r.arch === null ? r.version : `${r.version}+${r.arch}`;
    const error = (reason: string): void => void problems.push({ file: source, reason: `release ${quote(node)}: ${reason}`, severity: 'error' });
    if (!payloadDigest(r.payload)) error(`payload ${quote(r.payload)} is not a pull spec by digest`);
    const arch = r.arch === null ? null : archProblem(r.arch);
    if (arch) error(arch);
    const file = releaseFileName(r);
    const earlier = seen.get(file);
    if (earlier && JSON.stringify(earlier) !== JSON.stringify(r)) error('is given twice with different content');
    seen.set(file, r);
  }
  return problems;
}

/** Releases from the graph-data's releases/ and the raw document, one per node version (identical duplicates merged). */
function mergeReleases(a: readonly Release[], b: readonly Release[]): Release[] {
  const byNode = new Map<string, Release>();
  for (const r of [...a, ...b]) byNode.set(releaseFileName(r), r);
  return [...byNode.values()];
}

/**
 * Replaces the store's releases and graph-data with the directory's (and the raw document's releases), in one
 * transaction, after strict validation and a trial build; on any error nothing changes.
 */
export function importGraphData(store: Store, options: ImportOptions): ImportReport {
  const { graphDataDir, rawFile } = options;
  const read = readGraphData(graphDataDir, { strict: true });
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) refuse(graphDataDir, errors);
  const warnings: ImportWarning[] = read.problems.map(({ file, reason }) => ({ file, reason }));

  let releases = read.releases;
  let fileOf = releaseFileOf;
  if (rawFile) {
    const converted = releasesFromRawGraph(parseRawGraph(readJson(rawFile)));
    const bad = releaseProblems(rawFile, [...read.releases, ...converted.releases]);
    if (bad.length > 0) refuse(rawFile, bad);
    for (const w of converted.warnings) warnings.push({ file: rawFile, reason: w.message });
    releases = mergeReleases(read.releases, converted.releases);
    const fromDir = new Set(read.releases.map(releaseFileName));
    fileOf = (r) => (fromDir.has(releaseFileName(r)) ? releaseFileOf(r) : rawFile);
  }
  // Input that would abort a rebuild (cycle, conflicting digests...) must not reach the store: the trial build throws.
  const built = trialBuild({ releases, graphData: read.data }, graphDataDir, fileOf);
  for (const w of built.warnings) warnings.push({ file: `build:${w.step}`, reason: w.message });

  const after = counts(read.data, releases);
  const signatures = options.signatures;
  if (signatures) warnings.push(...signatures.warnings);
  let addedSignatures = 0;
  store.transaction(() => {
    const wasEmpty = store.isEmpty();
    const previous = store.loadGraphInput();
    store.replaceAll({ releases, graphData: read.data });
    store.audit.append({
      actor: options.actor ?? 'system',
      action: 'graph-data.import',
      target: graphDataDir,
      before: wasEmpty ? null : counts(previous.graphData, previous.releases),
      after: { ...after, rawFile: rawFile ?? null, ...(signatures ? { signatures: signatures.signatures.length } : {}) },
    });
    if (signatures) addedSignatures = storeImportedSignatures(store, signatures);
  });
  return {
    graphDataDir, rawFile: rawFile ?? null, ...after, warnings,
    ...(signatures ? { signatures: { read: signatures.signatures.length, added: addedSignatures } } : {}),
  };
}

/** Writes what the store holds as a graph-data directory (+ releases/, signatures/), and optionally a CVO store. */
export function exportGraphData(store: Store, dir: string, options: { cvoStore?: string } = {}): ExportReport {
  const { releases, graphData } = store.loadGraphInput();
  writeGraphData(dir, { data: graphData, releases });
  const written = exportSignatures(store, dir);
  if (options.cvoStore !== undefined) exportCvoStore(store, options.cvoStore);
  return { dir, ...counts(graphData, releases), ...written, ...(options.cvoStore !== undefined ? { cvoStore: options.cvoStore } : {}) };
}

/** First start: an empty store is seeded from a graph-data directory. Returns whether it seeded. */
export function seedStoreIfEmpty(store: Store, options: ImportOptions): boolean {
  if (!store.isEmpty()) return false;
  importGraphData(store, { actor: 'seed', ...options });
  return true;
}
