// Finding releases and channels in a loaded graph input, with NOT_FOUND errors that say what does exist.
import { KusError, quote } from '../../errors/index.js';
import { keyIgnoringBuild, parseSemver, releaseNodeVersion, type ChannelDoc, type GraphData, type Release } from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { entryCovers, nodeVersionOf } from './validate.js';

export function findRelease(input: GraphInput, version: string, arch: string): Release | undefined {
  const node = nodeVersionOf(version, arch);
  return input.releases.find((r) => r.arch === arch && releaseNodeVersion(r) === node);
}

/** Releases of a version (any build metadata ignored), every architecture. */
export function releasesOfVersion(input: GraphInput, version: string): Release[] {
  const v = parseSemver(version);
  if (!v) return [];
  const key = keyIgnoringBuild(v);
  return input.releases.filter((r) => {
    const rv = parseSemver(r.version);
    return rv !== null && keyIgnoringBuild(rv) === key;
  });
}

export function archesOf(releases: readonly Release[]): string {
  const arches = [...new Set(releases.map((r) => r.arch ?? '(none)'))].sort();
  return arches.length === 0 ? 'none' : arches.join(', ');
}

/** What the channel lookups read: a whole GraphInput, or only the channels (read from their table, services/publisher.ts). */
export interface WithChannels {
  graphData: Pick<GraphData, 'channels'>;
}

/** Channel files with that name (normally one; imported graph-data may have several). */
export function channelsNamed(input: WithChannels, name: string): ChannelDoc[] {
  return input.graphData.channels.filter((c) => c.name === name);
}

export function channelNames(input: WithChannels): string {
  const names = [...new Set(input.graphData.channels.map((c) => c.name))].sort();
  return names.length === 0 ? 'there are none yet' : `existing: ${names.join(', ')}`;
}

export function requireChannel(input: WithChannels, name: string): ChannelDoc[] {
  const docs = channelsNamed(input, name);
  if (docs.length === 0) {
    throw new KusError('KUS_ERR_NOT_FOUND', `channel ${quote(name)} does not exist (${channelNames(input)}); create it with "kus channel create ${name}"`, { channel: name });
  }
  return docs;
}

/** Channels (by name) whose entries select the release. */
export function channelsListing(input: GraphInput, release: Pick<Release, 'version' | 'arch'>): ChannelDoc[] {
  return input.graphData.channels.filter((c) => c.versions.some((e) => entryCovers(e, release.version, release.arch)));
}
