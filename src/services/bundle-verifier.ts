// Which keys a bundle's verifier ConfigMap carries, and the check that clusters using it accept the bundle's own
// signed releases. The cluster-version operator treats every verifier-public-key-* entry as a verifier of its own
// and accepts a release only when each of them finds a signature it verifies, so an active key that did not sign
// a release makes the cluster refuse that release.
import { KusError, quote } from '../errors/index.js';
import { payloadDigest, type Release } from '../graph/index.js';
import type { StoredKey } from '../store/index.js';

/** The keys named with --verifier-key (each must be stored), else the active keys. */
export function verifierKeys(stored: readonly StoredKey[], named: readonly string[]): StoredKey[] {
  if (named.length === 0) return stored.filter((k) => k.active);
  const unknown = named.filter((name) => !stored.some((k) => k.name === name));
  if (unknown.length > 0) {
    throw new KusError('KUS_ERR_NOT_FOUND', `--verifier-key ${unknown.map((n) => quote(n)).join(', ')}: no such key; "kus key list" shows the stored keys`, { keys: unknown });
  }
  return stored.filter((k) => named.includes(k.name));
}

export interface VerifierGap {
  /** VERSION+ARCH. */
  release: string;
  /** Names of the verifier's keys that signed no signature of the release. */
  missing: string[];
}

/**
 * Signed releases that a cluster using a verifier with these keys would refuse. A release with no signature at all
 * is not listed: no verifier accepts it, and bundles may carry releases that are not signed yet.
 */
export function verifierGaps(releases: readonly Release[], signatures: ReadonlyArray<{ digest: string; keyFingerprint: string | null }>, keys: readonly StoredKey[]): VerifierGap[] {
  const signers = new Map<string, Set<string>>();
  for (const s of signatures) {
    let set = signers.get(s.digest);
    if (!set) signers.set(s.digest, (set = new Set()));
    if (s.keyFingerprint !== null) set.add(s.keyFingerprint);
  }
  const gaps: VerifierGap[] = [];
  for (const r of releases) {
    const digest = payloadDigest(r.payload);
    const by = digest === null ? undefined : signers.get(digest);
    if (by === undefined) continue;
    const missing = keys.filter((k) => !by.has(k.fingerprint)).map((k) => k.name);
    if (missing.length > 0) gaps.push({ release: `${r.version}+${r.arch ?? ''}`, missing });
  }
  return gaps;
}

/** KUS_ERR_UNSIGNED naming each release and the keys it lacks, and the two ways out. */
export function verifierGapError(gaps: readonly VerifierGap[], keys: readonly StoredKey[]): KusError {
  const shown = gaps.slice(0, 20).map((g) => `  ${g.release}: not signed by ${g.missing.join(', ')}`);
  if (gaps.length > shown.length) shown.push(`  ... and ${gaps.length - shown.length} more`);
  return new KusError('KUS_ERR_UNSIGNED',
    `the bundle's verifier ConfigMap would carry the keys ${keys.map((k) => k.name).join(', ')}, and a cluster accepts a release only when every ` +
    `one of them signed it; ${gaps.length} signed release${gaps.length === 1 ? '' : 's'} in the bundle would be refused:\n${shown.join('\n')}\n` +
    'Sign them with the missing keys (kus release sign VERSION+ARCH), or name the keys the verifier should carry (--verifier-key NAME, repeatable).',
    { releases: gaps.map((g) => g.release), keys: keys.map((k) => k.name) });
}
