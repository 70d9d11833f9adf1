// readGraphData: the graph-data directory (graph-semantics §6) plus KUS's releases/, with every problem named.
import { quote } from '../errors/index.js';
import { formatSemver, graphDataOf, parseSemver, type CanaryList, type Rollout, type BlockedEdgeDoc, type ChannelDoc, type ConditionalEdgeDoc, type GraphData, type Release } from '../graph/index.js';
import { BLOCKED_EDGES_DIR, classifyBlockedEdge } from './blocked-edges.js';
import { CHANNELS_DIR, parseChannel } from './channels.js';
import { ProblemList, type Problem } from './problem.js';
import { readRawMetadata } from './raw-metadata.js';
import { parseRelease, RELEASES_DIR } from './releases.js';
import { checkRolloutTargets, parseRolloutsFile, ROLLOUTS_DIR } from './rollouts.js';
import { scanYamlDir } from './scan.js';
import { readSchemaVersion } from './schema-version.js';
import { directoryTree, type GraphDataTree } from './tree.js';
import { readYamlMapping, type YamlMapping, type YamlMemo } from './yaml-file.js';

export interface ReadOptions {
  /**
   * false (graph build): reproduce upstream, which skips bad files; `error` problems are only those that fail an
   * upstream build too. true (import): every file KUS would refuse is an `error` problem.
   */
  strict: boolean;
  /** Parsed YAML to reuse across reads (a replica's build worker keeps one). */
  memo?: YamlMemo;
}

export interface ReadResult {
  data: GraphData;
  releases: Release[];
  problems: Problem[];
}

/**
 * Reads a directory, or a tree held in memory. Never throws for bad content: everything wrong is a problem; callers
 * decide whether errors are fatal.
 */
export function readGraphData(source: string | GraphDataTree, options: ReadOptions): ReadResult {
  const tree = typeof source === 'string' ? directoryTree(source) : source;
  options.memo?.startRead();
  const problems = new ProblemList(options.strict);
  const schemaVersion = readSchemaVersion(tree, problems) ?? '';
  const rawMetadata = readRawMetadata(tree, problems) ?? [];

  const blockedEdges: BlockedEdgeDoc[] = [];
  const conditionalEdges: ConditionalEdgeDoc[] = [];
  for (const name of scanYamlDir(tree, BLOCKED_EDGES_DIR, problems, true)) {
    const classified = readParsed(tree, `${BLOCKED_EDGES_DIR}/${name}`, problems, options.memo, (doc) => classifyBlockedEdge(name, doc, problems));
    if (classified?.kind === 'plain') blockedEdges.push(classified.edge);
    if (classified?.kind === 'conditional') conditionalEdges.push(classified.edge);
  }
  checkBlockedEdgeTargets(blockedEdges, problems);
  checkRiskNames(conditionalEdges, problems);

  const channels: ChannelDoc[] = [];
  for (const name of scanYamlDir(tree, CHANNELS_DIR, problems, true)) {
    const channel = readParsed(tree, `${CHANNELS_DIR}/${name}`, problems, options.memo, (doc) => parseChannel(name, doc, problems));
    if (channel) channels.push(channel);
  }
  checkChannelNames(channels, problems);

  const releases: Release[] = [];
  for (const name of scanYamlDir(tree, RELEASES_DIR, problems, false)) {
    const release = readParsed(tree, `${RELEASES_DIR}/${name}`, problems, options.memo, (doc) => parseRelease(name, doc, problems));
    if (release) releases.push(release);
  }

  const readRollouts: Rollout[] = [];
  const readCanaries: CanaryList[] = [];
  for (const name of scanYamlDir(tree, ROLLOUTS_DIR, problems, false)) {
    const parsed = readParsed(tree, `${ROLLOUTS_DIR}/${name}`, problems, options.memo, (doc) => parseRolloutsFile(name, doc, problems));
    if (!parsed) continue;
    readRollouts.push(...parsed.rollouts);
    if (parsed.canaries.length > 0) readCanaries.push({ channel: parsed.channel, ids: parsed.canaries });
  }
  const { rollouts, canaries } = checkRolloutTargets(readRollouts, readCanaries, channels, problems);

  return {
    // rollouts/ and canaries only when the extension is there, so a tree without it reads as before.
    data: graphDataOf({
      schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels,
      ...(rollouts.length > 0 ? { rollouts } : {}), ...(canaries.length > 0 ? { canaries } : {}),
    }),
    releases,
    problems: problems.items,
  };
}

/** What `parse` makes of `file`'s mapping; with a memo, the value of the last reads when the file's bytes are the same. */
function readParsed<T>(
  tree: GraphDataTree, file: string, problems: ProblemList, memo: YamlMemo | undefined, parse: (doc: YamlMapping) => T | null | undefined,
): T | null | undefined {
  if (memo === undefined) {
    const doc = readYamlMapping(tree, file, problems);
    return doc && parse(doc);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = tree.readBytes(file);
  } catch {
    bytes = undefined; // readYamlMapping reports it
  }
  const kept = bytes && memo.reuse<T>(file, bytes);
  if (kept !== undefined) return kept;
  const before = problems.items.length;
  const doc = readYamlMapping(tree, file, problems, memo);
  const value = doc && parse(doc);
  // Only a value read without a problem is kept: reusing one reports nothing.
  if (bytes !== undefined && value && problems.items.length === before) memo.keep(file, bytes, value);
  return value;
}

function normalized(version: string): string {
  const v = parseSemver(version);
  return v ? formatSemver(v) : version;
}

/** Upstream quirk (graph-semantics §6.4.3): of two plain files for one target, the later file's regex wins. */
function checkBlockedEdgeTargets(edges: BlockedEdgeDoc[], problems: ProblemList): void {
  const seen = new Map<string, BlockedEdgeDoc>();
  for (const edge of edges) {
    const to = normalized(edge.to);
    const earlier = seen.get(to);
    if (earlier) {
      problems.warn(`${BLOCKED_EDGES_DIR}/${edge.file}`, `blocks ${quote(edge.to)} again after ${BLOCKED_EDGES_DIR}/${earlier.file}; only this later file's from ${quote(edge.from)} takes effect, ${quote(earlier.from)} is overwritten`);
    }
    seen.set(to, edge);
  }
}

/** The ClusterVersion API refuses a conditional edge listing one risk name twice (graph-semantics §8.2). */
function checkRiskNames(edges: ConditionalEdgeDoc[], problems: ProblemList): void {
  const seen = new Map<string, ConditionalEdgeDoc>();
  for (const edge of edges) {
    const key = `${normalized(edge.to)}\u0000${edge.risk.name}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.refuse(`${BLOCKED_EDGES_DIR}/${edge.file}`, `declares risk ${quote(edge.risk.name)} for ${quote(edge.to)} again after ${BLOCKED_EDGES_DIR}/${earlier.file}; clusters would see the name twice`);
    } else {
      seen.set(key, edge);
    }
  }
}

/** Two files with one name put the name twice into each member's channel list, as upstream does. */
function checkChannelNames(channels: ChannelDoc[], problems: ProblemList): void {
  const seen = new Map<string, ChannelDoc>();
  for (const channel of channels) {
    const earlier = seen.get(channel.name);
    if (earlier) problems.warn(`${CHANNELS_DIR}/${channel.file}`, `declares channel ${quote(channel.name)} again after ${CHANNELS_DIR}/${earlier.file}; both lists apply`);
    else seen.set(channel.name, channel);
  }
}
