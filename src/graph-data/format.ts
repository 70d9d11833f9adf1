// The text of each graph-data file KUS writes: known keys first, in the order graph-data authors use, then kept extras.
import type { Rollout } from '../graph/index.js';
import { rolloutsDocument } from './rollouts.js';
import { stringify } from 'yaml';
import type { BlockedEdgeDoc, ChannelDoc, ConditionalEdgeDoc, GraphData, Release } from '../graph/index.js';
import { RecentMemo } from './recent-memo.js';
import { releaseDocument } from './releases.js';
import type { YamlMapping } from './yaml-file.js';

/** Writes one document as YAML text. */
export type YamlText = (doc: YamlMapping) => string;

// lineWidth 0: never fold long risk messages or regexes, so diffs stay readable.
export const yamlText: YamlText = (doc) => stringify(doc, { lineWidth: 0 });

/** True for what JSON text tells apart exactly as YAML writes it: plain objects, arrays, strings, finite numbers. */
function jsonExact(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return typeof value !== 'bigint';
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/**
 * YAML texts by their document's JSON. The graph-data archive a replica downloads after each publish writes every
 * file again, 8,000 at upstream scale, and YAML's writer was most of that (~0.7 s); from one archive to the next
 * nearly all documents are the same. Holds what the last two archives wrote (recent-memo.ts). A document with a value JSON cannot
 * tell apart (NaN, -0, a class instance) is written without the memo.
 */
export class YamlTextMemo {
  private texts = new RecentMemo<string>();
  private readonly bySource = new WeakMap<object, string>();
  /** Documents the YAML writer wrote since the last startWrite (the rest came from the memo). */
  written = 0;

  /** Called as an archive starts. */
  startWrite(): void {
    this.texts.startRound();
    this.written = 0;
  }

  /**
   * Lets go of the texts kept by their document's JSON, and keeps those kept by the object they were made from: while
   * those objects live, they are the graph input the next archive is made from (an idle build worker keeps it), and
   * their texts are ~4 MB at upstream scale, against ~1 s of YAML writing for an archive without them.
   */
  compact(): void {
    this.texts = new RecentMemo<string>();
  }

  readonly text: YamlText = (doc) => {
    let exact = true;
    const key = JSON.stringify(doc, function (this: Record<string, unknown>, k, v: unknown) {
      if (exact && !jsonExact(this[k])) exact = false;
      return typeof v === 'bigint' ? String(v) : v;
    });
    const write = (): string => {
      this.written++;
      return yamlText(doc);
    };
    return exact ? this.texts.get(key, write) : write();
  };

  /**
   * The text of a file made from `source` (a release, a channel, an edge), by the object itself: the build worker's
   * archives are made from the input its writes hold (services/warm-graph.ts), in which what a write did not change is
   * the same object as at the last archive, so neither its document nor that document's JSON is made again. The input
   * a worker holds is never changed in place, which its builds rely on too.
   */
  readonly of = (source: object, make: () => string): string => {
    let text = this.bySource.get(source);
    if (text === undefined) this.bySource.set(source, (text = make()));
    return text;
  };
}

/** What writes each file's text: the YAML writer, and optionally a memo of texts by the object they are made from. */
export interface YamlWriter {
  text: YamlText;
  of?: (source: object, make: () => string) => string;
}

function withExtra(known: YamlMapping, extra: Record<string, unknown> | undefined, tail: YamlMapping = {}): YamlMapping {
  const doc: YamlMapping = { ...known };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!(key in known) && !(key in tail)) doc[key] = value;
  }
  return { ...doc, ...tail };
}

export function channelText(channel: ChannelDoc, yaml: YamlText = yamlText): string {
  return yaml(withExtra({ name: channel.name }, channel.extra, { versions: channel.versions }));
}

export function blockedEdgeText(edge: BlockedEdgeDoc, yaml: YamlText = yamlText): string {
  return yaml({ to: edge.to, from: edge.from });
}

export function conditionalEdgeText(edge: ConditionalEdgeDoc, yaml: YamlText = yamlText): string {
  const { url, name, message, matchingRules } = edge.risk;
  return yaml(withExtra({ to: edge.to, from: edge.from, url, name, message, matchingRules }, edge.extra));
}

export function rawMetadataText(entries: GraphData['rawMetadata']): string {
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

export function releaseText(release: Release, yaml: YamlText = yamlText): string {
  return yaml(releaseDocument(release));
}

export function rolloutsText(channel: string, rollouts: readonly Rollout[], canaries: readonly string[], yaml: YamlText = yamlText): string {
  return yaml(rolloutsDocument(channel, rollouts, canaries));
}
