// writeGraphData: writes graph-data (+ releases/) so that reading it back gives the same data; owns only its files.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';
import type { GraphData, Release } from '../graph/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { BLOCKED_EDGES_DIR } from './blocked-edges.js';
import { CHANNELS_DIR } from './channels.js';
import { blockedEdgeText, channelText, conditionalEdgeText, rawMetadataText, releaseText, rolloutsText, yamlText, type YamlText, type YamlWriter } from './format.js';
import { rolloutFileName, rolloutFiles, ROLLOUTS_DIR } from './rollouts.js';
import { RAW_METADATA_FILE } from './raw-metadata.js';
import { releaseFileName, RELEASES_DIR } from './releases.js';
import { isYamlFileName } from './scan.js';

export interface GraphDataContent {
  data: GraphData;
  releases: Release[];
}

/** One file of a graph-data tree: its path relative to the tree (`/`-separated) and its text. */
export interface GraphDataFile {
  path: string;
  text: string;
}

/** The files writeGraphData owns, grouped by folder, with the exact text it writes (also what the graph-data tarball holds). */
function ownedFiles(content: GraphDataContent, writer: YamlWriter = { text: yamlText }): Map<string, Map<string, string>> {
  const { data, releases } = content;
  const yaml: YamlText = writer.text;
  const of = writer.of ?? ((_source: object, make: () => string): string => make());
  const files = new Map<string, Map<string, string>>([
    [CHANNELS_DIR, new Map()],
    [BLOCKED_EDGES_DIR, new Map()],
    [RELEASES_DIR, new Map()],
    [ROLLOUTS_DIR, new Map()],
  ]);
  const add = (folder: string, name: string, text: string): void => {
    const owned = files.get(folder)!;
    checkFileName(folder, name);
    if (owned.has(name)) throw new KusError('KUS_ERR_GRAPH_DATA', `two documents would be written to ${quote(`${folder}/${name}`)}`, { file: `${folder}/${name}` });
    owned.set(name, text);
  };
  for (const c of data.channels) add(CHANNELS_DIR, c.file, of(c, () => channelText(c, yaml)));
  for (const e of data.blockedEdges) add(BLOCKED_EDGES_DIR, e.file, of(e, () => blockedEdgeText(e, yaml)));
  for (const e of data.conditionalEdges) add(BLOCKED_EDGES_DIR, e.file, of(e, () => conditionalEdgeText(e, yaml)));
  for (const r of releases) add(RELEASES_DIR, releaseFileName(r), of(r, () => releaseText(r, yaml)));
  for (const [channel, doc] of rolloutFiles(data.rollouts ?? [], data.canaries ?? [])) {
    add(ROLLOUTS_DIR, rolloutFileName(channel), rolloutsText(channel, doc.rollouts, doc.canaries, yaml));
  }
  return files;
}

/** The folders writeGraphData always creates, even empty (readers require blocked-edges/ and channels/). */
export const GRAPH_DATA_DIRS: readonly string[] = [BLOCKED_EDGES_DIR, CHANNELS_DIR, path.posix.dirname(RAW_METADATA_FILE), RELEASES_DIR];

/**
 * Every file writeGraphData writes, with the same text: `version`, `raw/metadata.json`, then the .yaml files of
 * channels/, blocked-edges/ and releases/ (sorted by path). Reading them back gives the same data.
 */
export function graphDataFiles(content: GraphDataContent, writer: YamlWriter = { text: yamlText }): GraphDataFile[] {
  const out: GraphDataFile[] = [
    { path: 'version', text: `${content.data.schemaVersion}\n` },
    { path: RAW_METADATA_FILE, text: rawMetadataText(content.data.rawMetadata) },
  ];
  const rest: GraphDataFile[] = [];
  for (const [folder, owned] of ownedFiles(content, writer)) for (const [name, text] of owned) rest.push({ path: `${folder}/${name}`, text });
  rest.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...out, ...rest];
}

/**
 * Writes `version`, `raw/metadata.json`, `channels/`, `blocked-edges/` and `releases/` under `dir`, each file atomically.
 * In an existing directory it replaces only what it owns: those two files and the .yaml files of the three folders
 * (stale ones are removed); `_OWNERS`, `README.md`, `LICENSE`, `.yml` files and other folders are left alone.
 */
export function writeGraphData(dir: string, content: GraphDataContent): void {
  const { data } = content;
  const files = ownedFiles(content);
  try {
    // rollouts/ is created only when there is something to put in it, so a store without rollouts exports as before.
    for (const folder of [...files.keys(), path.dirname(RAW_METADATA_FILE)]) {
      if (GRAPH_DATA_DIRS.includes(folder) || (files.get(folder)?.size ?? 0) > 0) mkdirSync(path.join(dir, folder), { recursive: true });
    }
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot create graph-data directory ${quote(dir)}: ${(err as Error).message}`, { dir }, { cause: err });
  }
  writeFileAtomic(path.join(dir, 'version'), `${data.schemaVersion}\n`);
  writeFileAtomic(path.join(dir, RAW_METADATA_FILE), rawMetadataText(data.rawMetadata));
  for (const [folder, owned] of files) {
    for (const [name, text] of owned) writeFileAtomic(path.join(dir, folder, name), text);
    removeStale(path.join(dir, folder), owned);
  }
}

/** A name must stay inside its folder and be read back, i.e. carry a .yaml extension. */
function checkFileName(folder: string, name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name.startsWith('.') || !isYamlFileName(name)) {
    throw new KusError('KUS_ERR_GRAPH_DATA', `cannot write ${quote(`${folder}/${name}`)}: a graph-data file name must be a plain name ending in .yaml`, { file: `${folder}/${name}` });
  }
}

function removeStale(folder: string, owned: Map<string, string>): void {
  if (owned.size === 0 && !existsSync(folder)) return;
  try {
    for (const name of readdirSync(folder)) {
      if (owned.has(name) || !isYamlFileName(name) || name.startsWith('.')) continue;
      const file = path.join(folder, name);
      if (statSync(file).isFile()) rmSync(file);
    }
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot remove stale files in ${quote(folder)}: ${(err as Error).message}`, { dir: folder }, { cause: err });
  }
}
