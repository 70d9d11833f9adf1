// Release digests and where their signatures live: the cluster's store layout, graph-data's, and ConfigMap keys.
import { KusError, quote } from '../errors/index.js';

/** The only algorithm KUS signs and serves: release payloads are addressed by sha256 manifest digests. */
export const DIGEST_ALGORITHM = 'sha256';

const DIGEST_TEXT_RE = /^sha256:([0-9a-f]{64})$/;
const HEX_RE = /^[0-9a-f]{64}$/;
/** `signature-N`: N ≥ 1, decimal, no leading zero, at most 9 digits (clusters only ever ask for 1..9). */
const SIGNATURE_NAME_RE = /^signature-([1-9][0-9]{0,8})$/;

/** The 64 hex digits of `sha256:<hex>`, or null when the text is not such a digest. */
export function digestHex(digest: string): string | null {
  return DIGEST_TEXT_RE.exec(digest)?.[1] ?? null;
}

/** `sha256:<64 lowercase hex>`, with surrounding blanks dropped; anything else is refused with what to pass. */
export function requireDigest(value: unknown, what = 'digest'): string {
  const text = typeof value === 'string' ? value.trim() : value;
  if (typeof text !== 'string' || !DIGEST_TEXT_RE.test(text)) {
    throw new KusError('KUS_ERR_INVALID_DIGEST',
      `${what} ${quote(value)} is not a release digest; pass sha256:<64 lowercase hex digits>, the part after "@" of the payload pull spec`,
      { value });
  }
  return text;
}

export function digestFromHex(hex: string): string {
  return `${DIGEST_ALGORITHM}:${hex}`;
}

export function isDigestHex(hex: string): boolean {
  return HEX_RE.test(hex);
}

export function signatureFileName(index: number): string {
  return `signature-${index}`;
}

/** N of `signature-N`, or null when the name is anything else (leading zeros, a sign, a path...). */
export function signatureIndex(name: string): number | null {
  const m = SIGNATURE_NAME_RE.exec(name);
  return m ? Number(m[1]) : null;
}

/** The cluster's store directory of a digest (HTTP and file:// stores): `sha256=<hex>`. */
export function storeSegment(digest: string): string {
  return digest.replace(':', '=');
}

/** The ConfigMap name `oc` gives a digest's signatures, and the prefix of its binaryData keys: `sha256-<hex>`. */
export function configMapPrefix(digest: string): string {
  return digest.replace(':', '-');
}

/** Digest and index of a store request `<algo>=<hex>/signature-<N>`, or the reason it is malformed. */
export type StoreRequest = { ok: true; digest: string; index: number } | { ok: false; reason: string };

/**
 * Parses the two path segments of a signature request as upstream's metadata-helper does (split on "=", exactly two
 * parts, algorithm sha256 or sha), then KUS's stricter rules: 64 lowercase hex digits and `signature-<N>`.
 */
export function parseStoreRequest(algoDigest: string, signature: string): StoreRequest {
  const parts = algoDigest.split('=');
  if (parts.length !== 2) return { ok: false, reason: `provided digest is in incorrect format: ${algoDigest}` };
  const [algo, hex] = parts as [string, string];
  if (algo !== DIGEST_ALGORITHM && algo !== 'sha') return { ok: false, reason: `algo not supported: ${algo}` };
  if (!HEX_RE.test(hex)) return { ok: false, reason: `provided digest is in incorrect format: ${algoDigest} (expected ${DIGEST_ALGORITHM}=<64 lowercase hex digits>)` };
  const index = signatureIndex(signature);
  if (index === null) return { ok: false, reason: `provided signature name is in incorrect format: ${signature} (expected signature-<N>, N from 1, no leading zero)` };
  // `sha=<hex>` is accepted upstream but names no sha256 digest: it finds nothing, as there.
  return { ok: true, digest: `${algo}:${hex}`, index };
}
