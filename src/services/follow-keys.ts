// The primary's public keys as a replica receives them (signatures/keys/NAME.asc in the graph-data tarball), so that
// the replica stores them beside the signatures: it then verifies those signatures, and its own tarball is the
// primary's, byte for byte (same ETag).
import { KusError, quote } from '../errors/index.js';
import { describePublicKey, KEYS_DIR, keyNameProblem, type SignatureTreeSource } from '../signatures/index.js';
import type { StoredKey } from '../store/index.js';

/** Public-only keys, marked active: the tarball does not say which keys the primary signs with, and a replica signs nothing. */
export async function readPrimaryKeys(signatures: SignatureTreeSource, source: string, now: Date): Promise<StoredKey[]> {
  if (!signatures.exists() || !signatures.isDir(KEYS_DIR)) return [];
  const keys: StoredKey[] = [];
  for (const file of signatures.entries(KEYS_DIR)) {
    const where = `signatures/${KEYS_DIR}/${file}`;
    if (!file.endsWith('.asc')) throw new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} has ${quote(where)}, which is not a NAME.asc public key`, { source, file: where });
    const name = file.slice(0, -'.asc'.length);
    const problem = keyNameProblem(name);
    if (problem) throw new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} has ${quote(where)}: ${problem}`, { source, file: where });
    const publicKey = Buffer.from(signatures.read(`${KEYS_DIR}/${file}`)).toString('utf8');
    let fingerprint: string;
    try {
      fingerprint = (await describePublicKey(publicKey)).fingerprint;
    } catch (err) {
      throw new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} has ${quote(where)}, which is not an OpenPGP public key: ${(err as Error).message}`, { source, file: where }, { cause: err });
    }
    keys.push({ name, fingerprint, publicKey, privateKey: null, active: true, createdAt: now.toISOString() });
  }
  return keys;
}
