// Planning release writes: add (idempotent on the same digest, refused on another) and remove (guarded by channels).
import { KusError, quote } from '../../errors/index.js';
import { formatSemver, parseSemver, payloadDigest, withBuild, withVersions, type ChannelDoc, type Release } from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { channelsListing, findRelease, releasesOfVersion, requireChannel } from './lookup.js';
import { unchanged, withGraphData, type Plan } from './plan.js';
import { pruneRolloutsOf } from './rollouts.js';
import type { ReleaseInput } from './types.js';
import { entryCovers, nodeVersionOf, releaseVersion, requireArch, requireChannelName, requireMetadata, versionList } from './validate.js';

function requirePayload(payload: unknown): { payload: string; digest: string } {
  if (typeof payload !== 'string' || payload === '') throw new KusError('KUS_ERR_INVALID_PAYLOAD', `payload is required (registry/repo@sha256:<64 hex>); got ${quote(payload)}`);
  const digest = payloadDigest(payload);
  if (!digest) {
    throw new KusError('KUS_ERR_INVALID_PAYLOAD',
      `payload ${quote(payload)} is not pinned by digest (registry/repo@sha256:<64 hex>): clusters verify a release by its digest. ` +
        'To publish a tag, use "kus release ingest PULLSPEC", which resolves the tag to its digest in the registry',
      { value: payload });
  }
  return { payload, digest };
}

function digestMismatch(stored: Release, node: string, digest: string, payload: string): KusError {
  const had = stored.digest ?? payloadDigest(stored.payload) ?? 'none';
  return new KusError('KUS_ERR_DIGEST_MISMATCH',
    `${node} is already stored with digest ${had} (payload ${quote(stored.payload)}); refusing ${digest} (payload ${quote(payload)}). ` +
      'Clusters know a release only by its version: two payloads under one version cannot be told apart (a cluster running one ' +
      'would believe it runs the other, and signatures and update paths would mix them up). Releases are immutable: rebuild the ' +
      `new payload under a new version, e.g. "oc adm release new --from-release ${payload} --name <new version> --to-image <repo>:<new version>", ` +
      'and publish that version',
    { version: node, stored: had, refused: digest });
}

/** Warnings for previous/next versions without a stored release of the same architecture. */
function danglingWarnings(input: GraphInput, release: Release): string[] {
  const warnings: string[] = [];
  for (const [list, arrow] of [[release.previous, 'previous'], [release.next, 'next']] as const) {
    for (const item of list) {
      const v = parseSemver(item)!;
      const base = formatSemver(withBuild(v, []));
      if (findRelease(input, base, release.arch!)) continue;
      const edge = arrow === 'previous' ? `${base} → ${release.version}` : `${release.version} → ${base}`;
      warnings.push(`${arrow} ${base}: no release ${nodeVersionOf(base, release.arch!)} is stored yet; the update ${edge} ` +
        `(for ${release.arch}) appears in the graph once that release arrives`);
    }
  }
  return warnings;
}

/** Warnings for fields of a repeated release that differ from the stored one (which is kept: releases are immutable). */
function ignoredDifferences(stored: Release, asked: Release): string[] {
  const differs: string[] = [];
  if (stored.payload !== asked.payload) differs.push(`payload (stored ${quote(stored.payload)})`);
  if (JSON.stringify(stored.previous) !== JSON.stringify(asked.previous)) differs.push(`previous (stored ${quote(stored.previous)})`);
  if (JSON.stringify(stored.next) !== JSON.stringify(asked.next)) differs.push(`next (stored ${quote(stored.next)})`);
  if (JSON.stringify(stored.metadata) !== JSON.stringify(asked.metadata)) differs.push('metadata');
  if (differs.length === 0) return [];
  return [`${nodeVersionOf(asked.version, asked.arch!)} is already stored with this digest; the stored release is kept and these ` +
    `differences are ignored: ${differs.join('; ')}`];
}

export function planAddRelease(current: GraphInput, input: ReleaseInput): Plan<Release> {
  const arch = requireArch(input.arch);
  const version = releaseVersion(input.version, arch);
  const { payload, digest } = requirePayload(input.payload);
  const where = `release ${nodeVersionOf(version, arch)}`;
  const release: Release = {
    version,
    arch,
    payload,
    digest,
    metadata: requireMetadata(input.metadata, where),
    previous: versionList(input.previous, 'previous'),
    next: versionList(input.next, 'next'),
  };
  const channelNames = [...new Set((input.channels ?? []).map(requireChannelName))];
  const channels = channelNames.map((name) => requireChannel(current, name)[0]!);

  const node = nodeVersionOf(version, arch);
  const stored = findRelease(current, version, arch);
  if (stored && (stored.digest ?? payloadDigest(stored.payload)) !== digest) throw digestMismatch(stored, node, digest, payload);

  const warnings = stored ? ignoredDifferences(stored, release) : danglingWarnings(current, release);
  // Channels list the plain version (every architecture), as graph-data does, unless an entry selects it already.
  const joins = channels.filter((c) => !c.versions.some((e) => entryCovers(e, version, arch)));
  if (stored && joins.length === 0) return unchanged(current, stored, warnings);

  const joined = new Set(joins);
  const channelsAfter = current.graphData.channels.map((c): ChannelDoc => (joined.has(c) ? withVersions(c, [...c.versions, version]) : c));
  return {
    value: stored ?? release,
    warnings,
    changed: true,
    candidate: withGraphData({ releases: stored ? current.releases : [...current.releases, release], graphData: current.graphData }, { channels: channelsAfter }),
    write(store) {
      if (!stored) store.releases.upsert(release);
      for (const c of joins) store.channels.appendVersion(c.file, version);
    },
    before: stored ? { release: stored } : null,
    after: { release: stored ?? release, addedToChannels: joins.map((c) => c.name) },
  };
}

export function planRemoveRelease(current: GraphInput, versionText: string, archText: string, force: boolean): Plan<Release> {
  const arch = requireArch(archText);
  const version = releaseVersion(versionText, arch);
  const node = nodeVersionOf(version, arch);
  const stored = findRelease(current, version, arch);
  if (!stored) {
    const others = releasesOfVersion(current, version).map((r) => r.arch ?? '(none)');
    throw new KusError('KUS_ERR_NOT_FOUND',
      `no release ${node} is stored${others.length > 0 ? ` (${version} is stored for ${[...new Set(others)].sort().join(', ')})` : ''}`,
      { version, arch });
  }
  const listing = channelsListing(current, stored);
  if (listing.length > 0 && !force) {
    const names = [...new Set(listing.map((c) => c.name))];
    throw new KusError('KUS_ERR_CONFLICT',
      `channel${names.length > 1 ? 's' : ''} ${names.join(', ')} still list${names.length > 1 ? '' : 's'} ${node}: clusters following ` +
        `${names.length > 1 ? 'them' : 'it'} on that version would lose their update path. Remove it from the channel first ` +
        `("kus channel remove ${names[0]} ${version}"), or remove the release anyway with --force (force=true)`,
      { version, arch, channels: names });
  }

  // With force: an entry naming this architecture goes; a plain entry goes only if no other architecture is left.
  const remaining = releasesOfVersion(current, version).filter((r) => r !== stored);
  const warnings: string[] = [];
  const removals: Array<{ channel: ChannelDoc; entries: string[] }> = [];
  for (const channel of listing) {
    const entries = channel.versions.filter((e) => entryCovers(e, version, arch) && (parseSemver(e)!.build.length > 0 || remaining.length === 0));
    const kept = channel.versions.filter((e) => entryCovers(e, version, arch) && !entries.includes(e));
    if (entries.length > 0) {
      removals.push({ channel, entries: [...new Set(entries)] });
      warnings.push(`removed ${[...new Set(entries)].join(', ')} from channel ${channel.name}`);
    }
    if (kept.length > 0) warnings.push(`channel ${channel.name} keeps ${kept.join(', ')} for the other architectures (${remaining.map((r) => r.arch).join(', ')})`);
  }
  const byChannel = new Map(removals.map((r) => [r.channel, r.entries]));
  const channelsAfter = current.graphData.channels.map((c): ChannelDoc => {
    const gone = byChannel.get(c);
    return gone ? withVersions(c, c.versions.filter((e) => !gone.includes(e))) : c;
  });
  const plan: Plan<Release> = {
    value: stored,
    warnings,
    changed: true,
    candidate: withGraphData({ releases: current.releases.filter((r) => r !== stored), graphData: current.graphData }, { channels: channelsAfter }),
    write(store) {
      store.releases.delete(stored.version, stored.arch);
      for (const { channel, entries } of removals) for (const e of entries) store.channels.removeVersion(channel.file, e);
    },
    before: { release: stored, channels: listing.map((c) => c.name) },
    after: { removedFromChannels: removals.map((r) => ({ channel: r.channel.name, entries: r.entries })) },
  };
  // --force takes the version out of channels: their rollouts of it go too, as with "kus channel remove".
  return [...new Set(removals.map((r) => r.channel.name))].reduce((p, name) => pruneRolloutsOf(p, name), plan);
}
