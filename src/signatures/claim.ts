// The simple-signing claim ("atomic container signature") a signature carries, built and checked as the CVO reads it.

export const CLAIM_TYPE = 'atomic container signature';

export interface ClaimInput {
  /** `sha256:<hex>`: the payload's manifest (list) digest. */
  digest: string;
  /** The payload repository, e.g. `quay.example/kylin/release`; clusters require it non-empty but never compare it. */
  reference: string;
  /** e.g. `Kylin Update Service 0.1.0`. */
  creator: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** The exact JSON of signatures.md §2: these keys, in this order, nothing else (the CVO rejects unknown fields). */
export function claimText(input: ClaimInput): string {
  return JSON.stringify({
    critical: {
      type: CLAIM_TYPE,
      image: { 'docker-manifest-digest': input.digest },
      identity: { 'docker-reference': input.reference },
    },
    optional: { creator: input.creator, timestamp: Math.floor(input.timestamp) },
  });
}

export interface ClaimFields {
  digest: string;
  reference: string;
  creator: string | null;
  timestamp: number | null;
}

export type ClaimCheck = { ok: true; claim: ClaimFields } | { ok: false; reason: string };

type Shape = { [key: string]: Shape | 'string' | 'integer' };

/** The fields Go decodes into; every other key, at any level, fails DisallowUnknownFields. */
const SHAPE: Shape = {
  critical: { type: 'string', image: { 'docker-manifest-digest': 'string' }, identity: { 'docker-reference': 'string' } },
  optional: { creator: 'string', timestamp: 'integer' },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's encoding/json matches field names case-insensitively; null leaves a field at its zero value. */
function checkShape(value: unknown, shape: Shape, where: string): string | null {
  if (value === null) return null;
  if (!isObject(value)) return `${where || 'the claim'} is not a JSON object`;
  for (const [key, v] of Object.entries(value)) {
    const known = Object.keys(shape).find((k) => k.toLowerCase() === key.toLowerCase());
    const path = where ? `${where}.${key}` : key;
    if (known === undefined) return `unknown field ${JSON.stringify(path)} (the cluster rejects any key outside signatures.md §2)`;
    const expected = shape[known]!;
    if (v === null) continue;
    if (expected === 'string' && typeof v !== 'string') return `${path} must be a string`;
    if (expected === 'integer' && !(typeof v === 'number' && Number.isSafeInteger(v))) return `${path} must be an integer`;
    if (typeof expected === 'object') {
      const problem = checkShape(v, expected, path);
      if (problem) return problem;
    }
  }
  return null;
}

/** Looks a field up the way Go does (case-insensitively; the last duplicate wins, as JSON.parse keeps it). */
function field(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name) found = v;
  return found;
}

/**
 * Checks the signed content as library-go's verifyAtomicContainerSignature does: strict JSON, the right type, a
 * non-empty identity, the expected digest. (Go reads only the first JSON value; KUS also refuses trailing bytes.)
 */
export function checkClaim(content: Uint8Array, digest: string): ClaimCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch (err) {
    return { ok: false, reason: `the signed content is not the JSON of a simple-signing claim: ${(err as Error).message}` };
  }
  const shapeProblem = checkShape(doc, SHAPE, '');
  if (shapeProblem) return { ok: false, reason: `the signed claim is not valid: ${shapeProblem}` };
  const critical = field(doc, 'critical');
  const optional = field(doc, 'optional');
  const type = field(critical, 'type');
  const signed = field(field(critical, 'image'), 'docker-manifest-digest');
  const reference = field(field(critical, 'identity'), 'docker-reference');
  if (type !== CLAIM_TYPE) return { ok: false, reason: `the claim's critical.type is ${JSON.stringify(type ?? null)}, not ${JSON.stringify(CLAIM_TYPE)}` };
  if (typeof reference !== 'string' || reference === '') return { ok: false, reason: 'the claim has no critical.identity.docker-reference' };
  if (signed !== digest) {
    return { ok: false, reason: `the claim names digest ${JSON.stringify(signed ?? null)}, not ${digest}` };
  }
  const creator = field(optional, 'creator');
  const timestamp = field(optional, 'timestamp');
  return {
    ok: true,
    claim: {
      digest,
      reference,
      creator: typeof creator === 'string' ? creator : null,
      timestamp: typeof timestamp === 'number' ? timestamp : null,
    },
  };
}
