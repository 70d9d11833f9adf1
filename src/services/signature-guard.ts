// `kus serve --require-signatures`: a write that would list an unsigned release in a channel is refused.
import { KusError } from '../errors/index.js';
import { payloadDigest, type Release } from '../graph/index.js';
import type { GraphInput, Store } from '../store/index.js';
import { entryCovers } from './publish/validate.js';

const nodeName = (r: Release): string => (r.arch ? `${r.version}+${r.arch}` : r.version);

/** `channel → releases` it lists in this input. */
function listed(input: GraphInput): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of input.graphData.channels) {
    const set = out.get(c.name) ?? new Set<string>();
    for (const r of input.releases) if (c.versions.some((e) => entryCovers(e, r.version, r.arch))) set.add(nodeName(r));
    out.set(c.name, set);
  }
  return out;
}

/**
 * A check for Publisher writes: every release that the write adds to a channel must carry, for every active key, a
 * signature that key made (signatures are verified before they are stored, so the rows are the proof). Synchronous:
 * it runs inside the write transaction.
 */
export function requireSignaturesGuard(store: Store): (before: GraphInput, after: GraphInput) => void {
  return (before, after) => {
    const was = listed(before);
    const byNode = new Map(after.releases.map((r) => [nodeName(r), r]));
    const added: Array<{ channel: string; release: Release }> = [];
    for (const [channel, nodes] of listed(after)) {
      for (const node of nodes) if (!was.get(channel)?.has(node)) added.push({ channel, release: byNode.get(node)! });
    }
    if (added.length === 0) return;
    const active = store.signingKeys.active();
    const problems: string[] = [];
    for (const { channel, release } of added) {
      const digest = payloadDigest(release.payload);
      const signers = new Set(digest ? store.signatures.ofDigest(digest).map((s) => s.keyFingerprint) : []);
      const missing = active.filter((k) => !signers.has(k.fingerprint)).map((k) => k.name);
      if (active.length === 0) problems.push(`${nodeName(release)} (channel ${channel}): there is no active signing key`);
      else if (missing.length > 0) problems.push(`${nodeName(release)} (channel ${channel}): no signature by ${missing.join(', ')}`);
    }
    if (problems.length > 0) {
      throw new KusError('KUS_ERR_UNSIGNED',
        `this server requires signatures before a release enters a channel (--require-signatures): ${problems.join('; ')}. ` +
          'Sign first ("kus release sign VERSION+ARCH") or upload the signature ("kus signature upload DIGEST FILE"), then add it to the channel',
        { releases: added.map((a) => nodeName(a.release)) });
    }
  };
}
