// Signing a claim as the cluster reads it: a binary OpenPGP signed message (one-pass signature, literal data, signature).
import type * as openpgp from 'openpgp';
import { loadOpenpgp } from './openpgp.js';

/**
 * Not armored, not detached, not clear-signed, not compressed (the cluster accepts compression, but plain packets are
 * what every verifier reads). OpenPGP.js uses the key's signing-capable (sub)key and its preferred hash.
 */
export async function signContent(content: Uint8Array, key: openpgp.PrivateKey, date: Date): Promise<Uint8Array> {
  const pgp = await loadOpenpgp();
  const message = await pgp.createMessage({ binary: content, date, format: 'binary' });
  return pgp.sign({ message, signingKeys: key, date, format: 'binary' });
}
