// Detached OpenPGP signatures over arbitrary bytes (a bundle's manifest): made with an unlocked key, checked against
// the trusted keys. Release signatures are signed messages instead (sign.ts), as the cluster reads them.
import type * as openpgp from 'openpgp';
import { loadOpenpgp } from './openpgp.js';
import type { TrustedKey } from './verify.js';

export type DetachedVerification =
  | { valid: true; key: string; fingerprint: string }
  | { valid: false; reason: string };

/** A binary detached signature of `data`. */
export async function signDetached(data: Uint8Array, key: openpgp.PrivateKey, date: Date): Promise<Uint8Array> {
  const pgp = await loadOpenpgp();
  const message = await pgp.createMessage({ binary: data, date, format: 'binary' });
  return pgp.sign({ message, signingKeys: key, date, detached: true, format: 'binary' });
}

/** Valid when `signature` is a detached signature of `data` by one of `trusted` (not expired, not revoked). */
export async function verifyDetached(data: Uint8Array, signature: Uint8Array, trusted: readonly TrustedKey[], now: Date): Promise<DetachedVerification> {
  const pgp = await loadOpenpgp();
  let sig: openpgp.Signature;
  try {
    sig = await pgp.readSignature({ binarySignature: signature });
  } catch (err) {
    return { valid: false, reason: `it is not a binary OpenPGP signature (${(err as Error).message})` };
  }
  const signers = sig.getSigningKeyIDs();
  const keys = await Promise.all(trusted.map(async (t) => ({ t, key: await pgp.readKey({ armoredKey: t.publicKey }) })));
  const match = keys.find(({ key }) => signers.some((id) => key.getKeyIDs().some((k) => k.equals(id))));
  if (!match) {
    return { valid: false, reason: `it was made by key ID ${signers.map((id) => id.toHex().toUpperCase()).join(', ')}, which is not a trusted key (import the signer's public key with kus key import)` };
  }
  try {
    const message = await pgp.createMessage({ binary: data, format: 'binary' });
    const result = await pgp.verify({ message, signature: sig, verificationKeys: [match.key], date: now, expectSigned: true, format: 'binary' });
    await Promise.all(result.signatures.map((s) => s.verified));
  } catch (err) {
    return { valid: false, reason: `the signature by ${match.t.name} (${match.t.fingerprint}) does not verify: ${(err as Error).message}` };
  }
  return { valid: true, key: match.t.name, fingerprint: match.t.fingerprint };
}
