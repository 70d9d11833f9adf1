// The one place each graph-data document the build reads is made, as a plain object literal. V8 compiles a build's steps
// for the hidden classes of the objects they read, and a literal's class lives as long as the code that makes it. An
// object made by spreading (`{ ...doc, versions }`) gets a class V8 derives at run time, and it made new ones over a
// worker's life: in one worker, 20 publishes into one channel met 7 classes of that channel's document and 7 of the
// graph-data. Each new one threw away the compiled steps that read it (apply-channels, declare-conditional-edges), and
// compiling them again took 20–130 ms of CPU, on the CPU the publish was using (docs/architecture.md, "Hidden classes").
import type { ChannelDoc, GraphData } from './types.js';

/** A channel document; `extra` only when the file has keys the engine ignores. */
export function channelDoc(file: string, name: string, versions: string[], extra?: Record<string, unknown>): ChannelDoc {
  return extra === undefined ? { file, name, versions } : { file, name, versions, extra };
}

/** `doc` listing `versions` instead. */
export function withVersions(doc: ChannelDoc, versions: string[]): ChannelDoc {
  return channelDoc(doc.file, doc.name, versions, doc.extra);
}

/** A GraphData of these parts; rollouts and canaries only when given, as the store and the reader give them. */
export function graphDataOf(parts: GraphData): GraphData {
  const { schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels, rollouts, canaries } = parts;
  if (rollouts === undefined && canaries === undefined) return { schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels };
  if (canaries === undefined) return { schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels, rollouts };
  if (rollouts === undefined) return { schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels, canaries };
  return { schemaVersion, rawMetadata, blockedEdges, conditionalEdges, channels, rollouts, canaries };
}
