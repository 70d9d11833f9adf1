// The text of each graph-data file KUS writes: known keys first, in the order graph-data authors use, then kept extras.
import type { Rollout } from '../graph/index.js';
import { rolloutsDocument } from './rollouts.js';
import { stringify } from 'yaml';
import type { BlockedEdgeDoc, ChannelDoc, ConditionalEdgeDoc, GraphData, Release } from '../graph/index.js';
import { releaseDocument } from './releases.js';
import type { YamlMapping } from './yaml-file.js';

function yaml(doc: YamlMapping): string {
  // lineWidth 0: never fold long risk messages or regexes, so diffs stay readable.
  return stringify(doc, { lineWidth: 0 });
}

function withExtra(known: YamlMapping, extra: Record<string, unknown> | undefined, tail: YamlMapping = {}): YamlMapping {
  const doc: YamlMapping = { ...known };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!(key in known) && !(key in tail)) doc[key] = value;
  }
  return { ...doc, ...tail };
}

export function channelText(channel: ChannelDoc): string {
  return yaml(withExtra({ name: channel.name }, channel.extra, { versions: channel.versions }));
}

export function blockedEdgeText(edge: BlockedEdgeDoc): string {
  return yaml({ to: edge.to, from: edge.from });
}

export function conditionalEdgeText(edge: ConditionalEdgeDoc): string {
  const { url, name, message, matchingRules } = edge.risk;
  return yaml(withExtra({ to: edge.to, from: edge.from, url, name, message, matchingRules }, edge.extra));
}

export function rawMetadataText(entries: GraphData['rawMetadata']): string {
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

export function releaseText(release: Release): string {
  return yaml(releaseDocument(release));
}

export function rolloutsText(channel: string, rollouts: readonly Rollout[], canaries: readonly string[]): string {
  return yaml(rolloutsDocument(channel, rollouts, canaries));
}
