// `kus doctor`: a cluster's own ClusterVersion (oc get clusterversion version -o json) checked against what KUS
// serves: which targets the cluster will see, and whether each target's signatures verify with the keys of the
// cluster's verifier ConfigMap (every verifier-public-key-* entry needs a valid signature, signatures.md §4).
import { KusError, quote } from '../errors/index.js';
import type { ClusterIdentity } from '../graph/index.js';
import { payloadDigest } from '../graph/index.js';
import { KeyRing } from '../signatures/index.js';
import type { ExplainAnswer } from './graph-explorer.js';

/** Signatures are looked up as the cluster does: signature-1, -2, … until the first missing one (at most 9). */
const MAX_SIGNATURES = 9;

export interface ClusterVersionFacts {
  identity: ClusterIdentity;
  /** The upstream the cluster polls (spec.upstream), when set. */
  upstream: string | null;
  /** What the cluster lists now (status.availableUpdates and status.conditionalUpdates). */
  listed: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the fields the cluster-version operator polls with out of `oc get clusterversion version -o json`. */
export function clusterVersionFacts(doc: unknown, archFallback: string): ClusterVersionFacts {
  if (!isRecord(doc) || doc.kind !== 'ClusterVersion' || !isRecord(doc.spec) || !isRecord(doc.status)) {
    throw new KusError('KUS_ERR_BAD_REQUEST', 'the --clusterversion file is not a ClusterVersion (oc get clusterversion version -o json)');
  }
  const spec = doc.spec;
  const status = doc.status;
  const desired = isRecord(status.desired) ? status.desired : {};
  const version = typeof desired.version === 'string' ? desired.version : '';
  const arch = desired.architecture === 'Multi' ? 'multi' : archFallback;
  const listed: string[] = [];
  for (const u of Array.isArray(status.availableUpdates) ? status.availableUpdates : []) if (isRecord(u) && typeof u.version === 'string') listed.push(u.version);
  for (const u of Array.isArray(status.conditionalUpdates) ? status.conditionalUpdates : []) {
    if (isRecord(u) && isRecord(u.release) && typeof u.release.version === 'string') listed.push(u.release.version);
  }
  return {
    identity: {
      version,
      channel: typeof spec.channel === 'string' ? spec.channel : '',
      arch,
      ...(typeof spec.clusterID === 'string' ? { id: spec.clusterID } : {}),
    },
    upstream: typeof spec.upstream === 'string' && spec.upstream !== '' ? spec.upstream : null,
    listed,
  };
}

/** The armored keys of a verifier ConfigMap (data entries verifier-public-key-<name>). */
export function verifierKeys(doc: unknown): Array<{ name: string; publicKey: string }> {
  if (!isRecord(doc) || doc.kind !== 'ConfigMap' || !isRecord(doc.data)) {
    throw new KusError('KUS_ERR_BAD_REQUEST', 'the --verifier-configmap file is not a ConfigMap with data (kus verifier-configmap, or the cluster\'s release-verification ConfigMap)');
  }
  const keys = Object.entries(doc.data)
    .filter(([k, v]) => k.startsWith('verifier-public-key-') && typeof v === 'string')
    .map(([k, v]) => ({ name: k.slice('verifier-public-key-'.length), publicKey: v as string }));
  if (keys.length === 0) throw new KusError('KUS_ERR_BAD_REQUEST', `the verifier ConfigMap ${quote(String(isRecord(doc.metadata) ? doc.metadata.name : ''))} has no verifier-public-key-* entry`);
  return keys;
}

export interface TargetVerdict {
  version: string;
  payload: string;
  /** How the cluster will list it. */
  offered: 'recommended' | 'conditional';
  risks: string[];
  /** null when no verifier was given. */
  signatures: null | {
    verifies: boolean;
    /** Per verifier key: the signature that satisfies it, or why none does. */
    keys: Array<{ name: string; signature: number | null; reason: string | null }>;
  };
}

export interface DoctorReport {
  cluster: ClusterIdentity;
  upstream: string | null;
  explain: ExplainAnswer;
  targets: TargetVerdict[];
  /** Versions the cluster lists now that KUS would no longer offer it (its status is stale or points elsewhere). */
  notOffered: string[];
  ok: boolean;
}

export interface DoctorDeps {
  explain(cluster: ClusterIdentity): Promise<ExplainAnswer>;
  signature(digest: string, index: number): Promise<Uint8Array | undefined>;
  now: Date;
}

async function checkSignatures(deps: DoctorDeps, digest: string | null, keys: Array<{ name: string; publicKey: string }>): Promise<NonNullable<TargetVerdict['signatures']>> {
  if (digest === null) return { verifies: false, keys: keys.map((k) => ({ name: k.name, signature: null, reason: 'the payload is not pulled by digest' })) };
  const files: Uint8Array[] = [];
  for (let i = 1; i <= MAX_SIGNATURES; i++) {
    const bytes = await deps.signature(digest, i);
    if (bytes === undefined) break;
    files.push(bytes);
  }
  const verdicts = [];
  for (const key of keys) {
    const ring = await KeyRing.load([{ name: key.name, fingerprint: '', publicKey: key.publicKey }]);
    let found: number | null = null;
    let reason: string | null = files.length === 0 ? 'no signature is stored for this digest' : null;
    for (let i = 0; i < files.length && found === null; i++) {
      const v = await ring.verify(files[i]!, digest, deps.now);
      if (v.valid) found = i + 1;
      else reason ??= `signature-${i + 1}: ${v.reason}`;
    }
    if (found === null && reason === null) reason = 'no signature was made by this key';
    verdicts.push({ name: key.name, signature: found, reason: found === null ? reason : null });
  }
  return { verifies: verdicts.every((v) => v.signature !== null), keys: verdicts };
}

export async function doctor(facts: ClusterVersionFacts, verifier: Array<{ name: string; publicKey: string }> | null, deps: DoctorDeps): Promise<DoctorReport> {
  const explain = await deps.explain(facts.identity);
  const targets: TargetVerdict[] = [];
  const offered = [
    ...explain.updates.map((u) => ({ ...u, offered: 'recommended' as const, risks: [] as string[] })),
    ...explain.conditionalUpdates.map((u) => ({ version: u.version, payload: u.payload, offered: 'conditional' as const, risks: u.risks.map((r) => r.name) })),
  ];
  for (const t of offered) {
    targets.push({ ...t, signatures: verifier ? await checkSignatures(deps, payloadDigest(t.payload), verifier) : null });
  }
  const served = new Set(offered.map((t) => t.version));
  const notOffered = facts.listed.filter((v) => !served.has(v));
  const ok = explain.retrievedUpdates.status === 'True' && targets.every((t) => t.signatures === null || t.signatures.verifies);
  return { cluster: facts.identity, upstream: facts.upstream, explain, targets, notOffered, ok };
}
