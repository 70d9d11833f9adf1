// A cluster's wariness for phased rollouts (docs/rollouts.md): a number in (0, 1] every server derives alike from the
// cluster's id, so replicas agree without talking to each other.
import { createHash } from 'node:crypto';
import { NO_ID_WARINESS } from '../graph/index.js';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** 2^48: six bytes of the hash are an integer a double holds exactly, so every implementation gets the same number. */
const SCALE = 2 ** 48;

/** The canonical form of a cluster id (lower-case UUID), or undefined when the text is not a UUID. */
export function canonicalClusterId(text: string | undefined): string | undefined {
  if (text === undefined || text.length !== 36 || !UUID_RE.test(text)) return undefined;
  return text.toLowerCase();
}

/**
 * SHA-256 of the canonical id's 36 ASCII bytes; its first 6 bytes read as a big-endian unsigned integer n;
 * wariness = (n + 1) / 2^48. No valid id: 1 (it sees a rollout only once it reaches everyone).
 */
export function warinessOf(id: string | undefined): number {
  const canonical = canonicalClusterId(id);
  if (canonical === undefined) return NO_ID_WARINESS;
  const digest = createHash('sha256').update(canonical, 'latin1').digest();
  return (digest.readUIntBE(0, 6) + 1) / SCALE;
}
