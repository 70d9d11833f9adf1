// Planning channel writes: create, delete, and adding or removing one version (promotion is adding to the next channel).
import { KusError, quote } from '../../errors/index.js';
import { channelDoc, formatSemver, withVersions, type ChannelDoc } from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { archesOf, channelsNamed, releasesOfVersion, requireChannel } from './lookup.js';
import { unchanged, withGraphData, type Plan } from './plan.js';
import { pruneRolloutsOf } from './rollouts.js';
import type { ChannelInfo } from './types.js';
import { entryCovers, requireArch, requireChannelName, requireVersion, sameVersionIgnoringBuild, uniqueFileName } from './validate.js';

export const channelInfo = (c: ChannelDoc): ChannelInfo => ({ name: c.name, file: c.file, versions: [...c.versions] });

export function planCreateChannel(current: GraphInput, nameText: string): Plan<ChannelInfo> {
  const name = requireChannelName(nameText);
  const existing = channelsNamed(current, name)[0];
  if (existing) return unchanged(current, channelInfo(existing));
  const file = uniqueFileName(name, new Set(current.graphData.channels.map((c) => c.file)));
  const doc = channelDoc(file, name, []);
  return {
    value: channelInfo(doc),
    warnings: [],
    changed: true,
    candidate: withGraphData(current, { channels: [...current.graphData.channels, doc] }),
    write: (store) => store.channels.create(doc),
    before: null,
    after: doc,
  };
}

export function planDeleteChannel(current: GraphInput, nameText: string): Plan<ChannelInfo[]> {
  const name = requireChannelName(nameText);
  const docs = requireChannel(current, name);
  const listed = docs.reduce((n, d) => n + d.versions.length, 0);
  const warnings = listed > 0
    ? [`channel ${name} listed ${listed} version${listed === 1 ? '' : 's'}; clusters following it now get an empty graph`]
    : [];
  return pruneRolloutsOf({
    value: docs.map(channelInfo),
    warnings,
    changed: true,
    candidate: withGraphData(current, { channels: current.graphData.channels.filter((c) => !docs.includes(c)) }),
    write: (store) => docs.forEach((d) => store.channels.delete(d.file)),
    before: docs,
    after: null,
  }, name);
}

/** The entry as stored: normalised SemVer; with `+arch` it selects that architecture only. */
function channelEntry(text: string): { entry: string; arch: string | null; base: string } {
  const v = requireVersion(text, 'version');
  const arch = v.build.length > 0 ? requireArch(v.build.join('.'), `the build metadata of ${quote(text)} (an architecture)`) : null;
  return { entry: formatSemver(v), arch, base: formatSemver({ ...v, build: [] }) };
}

export function planAddToChannel(current: GraphInput, channelName: string, versionText: string): Plan<ChannelInfo> {
  const name = requireChannelName(channelName);
  const doc = requireChannel(current, name)[0]!;
  const { entry, arch, base } = channelEntry(versionText);
  const releases = releasesOfVersion(current, base);
  const matching = arch === null ? releases : releases.filter((r) => r.arch === arch);
  if (matching.length === 0) {
    throw new KusError('KUS_ERR_NOT_FOUND',
      arch === null
        ? `no release ${base} is stored, for any architecture; publish it first ("kus release add" or "kus release ingest"), then add it to ${name}`
        : `no release ${base} is stored for ${arch} (stored for: ${archesOf(releases)}); publish it first ("kus release add" or "kus release ingest"), then add it to ${name}`,
      { channel: name, version: entry });
  }
  if (doc.versions.includes(entry)) return unchanged(current, channelInfo(doc));
  const covering = arch === null ? undefined : doc.versions.find((e) => entryCovers(e, base, arch));
  if (covering) return unchanged(current, channelInfo(doc), [`channel ${name} already lists ${covering}, which includes ${entry}`]);

  const after = withVersions(doc, [...doc.versions, entry]);
  return {
    value: channelInfo(after),
    warnings: [],
    changed: true,
    candidate: withGraphData(current, { channels: current.graphData.channels.map((c) => (c === doc ? after : c)) }),
    write: (store) => store.channels.appendVersion(doc.file, entry),
    before: { channel: name, versions: doc.versions },
    after: { channel: name, versions: after.versions },
  };
}

export function planRemoveFromChannel(current: GraphInput, channelName: string, versionText: string): Plan<ChannelInfo> {
  const name = requireChannelName(channelName);
  const { entry, base } = channelEntry(versionText);
  const docs = requireChannel(current, name).filter((c) => c.versions.includes(entry));
  if (docs.length === 0) {
    const doc = channelsNamed(current, name)[0]!;
    const near = doc.versions.filter((e) => sameVersionIgnoringBuild(e, base));
    throw new KusError('KUS_ERR_NOT_FOUND',
      `channel ${name} does not list ${quote(entry)}${near.length > 0 ? ` (it lists ${near.join(', ')})` : ''}`,
      { channel: name, version: entry });
  }
  const changedDocs = new Map(docs.map((d) => [d, withVersions(d, d.versions.filter((e) => e !== entry))]));
  const first = changedDocs.get(docs[0]!)!;
  const still = first.versions.filter((e) => sameVersionIgnoringBuild(e, base));
  const warnings = still.length > 0 ? [`channel ${name} still lists ${still.join(', ')}`] : [];
  return pruneRolloutsOf({
    value: channelInfo(first),
    warnings,
    changed: true,
    candidate: withGraphData(current, { channels: current.graphData.channels.map((c) => changedDocs.get(c) ?? c) }),
    write: (store) => docs.forEach((d) => store.channels.removeVersion(d.file, entry)),
    before: { channel: name, versions: docs[0]!.versions },
    after: { channel: name, versions: first.versions },
  }, name);
}
