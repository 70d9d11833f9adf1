// ConfigMaps a cluster reads: signature ConfigMaps (as `oc` builds them) and the verifier ConfigMap of a payload.
import { stringify } from 'yaml';
import { KusError, quote } from '../errors/index.js';
import { configMapPrefix } from './digest.js';

export const SIGNATURE_NAMESPACE = 'openshift-config-managed';
export const SIGNATURE_LABEL = 'release.openshift.io/verification-signatures';
export const VERIFIER_ANNOTATION = 'release.openshift.io/verification-config-map';
/** The cluster profiles whose CVO should load the verifier: the usual one and single-node. */
export const VERIFIER_PROFILES = ['self-managed-high-availability', 'single-node-developer'] as const;
export const DEFAULT_VERIFIER_NAME = 'release-verification';
export const DEFAULT_STORE_NAME = 'kylin-update-service';

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** One ConfigMap per digest: name `sha256-<hex>`, binaryData keys `sha256-<hex>-<N>` in signature order, from 1. */
export function signatureConfigMap(digest: string, signatures: ReadonlyArray<{ index: number; bytes: Uint8Array }>): ConfigMap {
  const prefix = configMapPrefix(digest);
  const binaryData: Record<string, string> = {};
  [...signatures].sort((a, b) => a.index - b.index).forEach((s, i) => {
    binaryData[`${prefix}-${i + 1}`] = Buffer.from(s.bytes).toString('base64');
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: prefix, namespace: SIGNATURE_NAMESPACE, labels: { [SIGNATURE_LABEL]: '' } },
    binaryData,
  };
}

/** DNS-1123 subdomain: what a ConfigMap name must be. */
const CONFIGMAP_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** ConfigMap data keys: `[-._a-zA-Z0-9]+`. */
const DATA_KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** A store URL the cluster accepts in a verifier ConfigMap: http, https or file. */
export function storeUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `store URL ${quote(url)} is not a URL`;
  }
  if (!['http:', 'https:', 'file:'].includes(parsed.protocol)) return `store URL ${quote(url)} must use http, https or file (the cluster refuses other schemes)`;
  if (parsed.hash) return `store URL ${quote(url)} must not carry a fragment`;
  return null;
}

export interface VerifierInput {
  /** ConfigMap name, default release-verification. */
  name: string;
  /** One `verifier-public-key-<name>` entry each: the cluster then needs a signature from every one of them. */
  keys: ReadonlyArray<{ name: string; publicKey: string }>;
  storeName: string;
  storeUrl: string;
}

/**
 * The verifier ConfigMap a custom payload carries (signatures.md §6). Each key gets its own entry, so a release must
 * be signed by every active key, which is what `kus release sign` does.
 */
export function verifierConfigMap(input: VerifierInput): ConfigMap {
  if (!CONFIGMAP_NAME_RE.test(input.name) || input.name.length > 253) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `--name ${quote(input.name)} is not a ConfigMap name (lowercase letters, digits, "-" and ".")`, { value: input.name });
  }
  if (!DATA_KEY_RE.test(input.storeName)) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `--store-name ${quote(input.storeName)} must be letters, digits, "-", "_" or "." (it becomes the key store-<name>)`, { value: input.storeName });
  }
  const problem = storeUrlProblem(input.storeUrl);
  if (problem) throw new KusError('KUS_ERR_BAD_REQUEST', problem, { value: input.storeUrl });
  if (input.keys.length === 0) {
    throw new KusError('KUS_ERR_NOT_FOUND', 'there is no active signing key; a verifier ConfigMap without one makes the cluster-version operator fail at start-up. Create one with "kus key generate" or "kus key import"');
  }
  const annotations: Record<string, string> = { [VERIFIER_ANNOTATION]: '' };
  for (const profile of VERIFIER_PROFILES) annotations[`include.release.openshift.io/${profile}`] = 'true';
  const data: Record<string, string> = {};
  for (const key of input.keys) data[`verifier-public-key-${key.name}`] = key.publicKey.endsWith('\n') ? key.publicKey : `${key.publicKey}\n`;
  data[`store-${input.storeName}`] = input.storeUrl.trim();
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: input.name, namespace: SIGNATURE_NAMESPACE, annotations },
    data,
  };
}

/** YAML for `oc apply -f -`: one document, or several separated by `---`. Lines are never folded (base64 must stay whole). */
export function renderManifests(docs: readonly object[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** `oc patch clusterversion version --type merge -p '<this>'` (signatures.md §7). */
export function signatureStoresPatch(storeUrl: string): { spec: { signatureStores: Array<{ url: string }> } } {
  return { spec: { signatureStores: [{ url: storeUrl.trim() }] } };
}
