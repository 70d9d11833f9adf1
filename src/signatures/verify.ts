// Checking a signature file the way the cluster's verifier does, and a little more strictly (key expiry, hash, packets).
import type * as openpgp from 'openpgp';
import { loadOpenpgp } from './openpgp.js';
import { checkClaim, type ClaimFields } from './claim.js';

/** A key whose signatures KUS accepts. */
export interface TrustedKey {
  name: string;
  /** 40 uppercase hex digits. */
  fingerprint: string;
  /** Armored public key. */
  publicKey: string;
}

export type Verification =
  /**
   * `validUntil` (ms since the epoch, Infinity when nothing expires): before it, verifying the same bytes with the same
   * key gives the same answer; it is when the key, the signing subkey or the signature expires, less the clock skew.
   */
  | { valid: true; key: string; fingerprint: string; claim: ClaimFields; validUntil: number }
  /**
   * `fingerprint` is set when the signer is a trusted key but something else is wrong. `untrusted` lists the signer
   * key IDs when the only thing wrong is that none is a trusted key (the claim inside was checked and is right).
   */
  | { valid: false; reason: string; fingerprint: string | null; untrusted?: string[] };

/** Hash algorithms golang.org/x/crypto/openpgp can check (it has no SHA-3). */
const goHashes = (pgp: typeof openpgp): ReadonlySet<number> => new Set<number>([
  pgp.enums.hash.sha1, pgp.enums.hash.sha224, pgp.enums.hash.sha256, pgp.enums.hash.sha384, pgp.enums.hash.sha512,
]);

/**
 * Signatures made on another host may carry a creation time a little ahead of this clock; the cluster does not check
 * creation times at all, so a few minutes of skew must not refuse an upload.
 */
const CLOCK_SKEW_MS = 10 * 60_000;

const invalid = (reason: string, fingerprint: string | null = null): Verification => ({ valid: false, reason, fingerprint });

/** Why bytes that are not a binary OpenPGP message were sent, when the shape tells. */
function notBinaryReason(data: Uint8Array): string | null {
  const head = Buffer.from(data.subarray(0, 64)).toString('latin1');
  if (head.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) return 'it is a clear-signed text (gpg --clearsign); the cluster reads binary signed messages only (gpg --sign, without --armor)';
  if (head.startsWith('-----BEGIN PGP')) return 'it is ASCII-armored; the cluster reads binary packets only (sign with gpg --sign, without --armor, or dearmor it with gpg --dearmor)';
  return null;
}

/** Trusted keys parsed once, for checking many signatures (a channel report checks every node's). */
export class KeyRing {
  private constructor(private readonly keys: ReadonlyArray<{ trusted: TrustedKey; key: openpgp.Key }>) {}

  static async load(keys: readonly TrustedKey[]): Promise<KeyRing> {
    const pgp = await loadOpenpgp();
    return new KeyRing(await Promise.all(keys.map(async (trusted) => ({ trusted, key: await pgp.readKey({ armoredKey: trusted.publicKey }) }))));
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Verifies `data` as a signature of `digest` by one of the keys, at time `now`: a binary signed message (not
   * encrypted, not detached), signed by a trusted key that is neither expired nor revoked, a valid v4 signature with a
   * hash the cluster knows, not expired, over a claim that passes checkClaim for this digest.
   */
  verify(data: Uint8Array, digest: string, now: Date): Promise<Verification> {
    return verifyWith(data, this.keys, digest, now);
  }
}

async function verifyWith(
  data: Uint8Array, parsed: ReadonlyArray<{ trusted: TrustedKey; key: openpgp.Key }>, digest: string, now: Date,
): Promise<Verification> {
  const pgp = await loadOpenpgp();
  if (data.length === 0) return invalid('it is empty');
  const shape = notBinaryReason(data);
  if (shape) return invalid(shape);
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await pgp.readMessage({ binaryMessage: data });
  } catch (err) {
    return invalid(`it is not an OpenPGP message (${(err as Error).message})`);
  }
  if (message.getEncryptionKeyIDs().length > 0) return invalid('it is encrypted; the cluster passes no decryption key');
  const signers = message.getSigningKeyIDs();
  if (signers.length === 0) return invalid('it is not signed');
  // A detached signature has no literal data: the claim it signs is not inside, so the cluster has nothing to read.
  if (message.getLiteralData() === null) return invalid('it is a detached signature (gpg --detach-sign); the cluster needs a signed message with the claim inside (gpg --sign)');

  const match = parsed.find(({ key }) => signers.some((id) => key.getKeyIDs().some((k) => k.equals(id))));
  if (!match) {
    const ids = signers.map((id) => id.toHex().toUpperCase());
    const content = message.getLiteralData();
    const claim = content ? checkClaim(content, digest) : null;
    if (claim && !claim.ok) return invalid(claim.reason);
    return {
      valid: false,
      reason: `it was made by key ID ${ids.join(', ')}, which is not a trusted key (see kus key list; import the public key with kus key import)`,
      fingerprint: null,
      untrusted: ids,
    };
  }
  const fpr = match.trusted.fingerprint;
  let result: openpgp.VerifyMessageResult<Uint8Array>;
  try {
    result = await pgp.verify({ message, verificationKeys: [match.key], format: 'binary', date: new Date(now.getTime() + CLOCK_SKEW_MS), expectSigned: true });
  } catch (err) {
    return invalid(`the signature by ${match.trusted.name} (${fpr}) does not verify: ${(err as Error).message}`, fpr);
  }
  const expiry = await match.key.getExpirationTime().catch(() => null);
  if (expiry instanceof Date && expiry.getTime() <= now.getTime()) {
    return invalid(`key ${match.trusted.name} (${fpr}) expired on ${expiry.toISOString()}`, fpr);
  }
  const hashes = goHashes(pgp);
  let validUntil = expiryMs(expiry);
  for (const sig of result.signatures) {
    const packet = (await sig.signature).packets[0];
    if (!packet) return invalid('the signature packet is missing', fpr);
    validUntil = Math.min(validUntil, expiryMs(packet.getExpirationTime()), await signingKeyExpiryMs(match.key, packet.issuerKeyID, now));
    if (packet.version !== 4 && packet.version !== 3) return invalid(`it is a v${packet.version} signature; the cluster understands v3 and v4 only`, fpr);
    if (packet.hashAlgorithm === null || !hashes.has(packet.hashAlgorithm)) {
      return invalid(`it uses hash algorithm ${String(packet.hashAlgorithm)} (RFC 9580 numbering), which the cluster cannot check (it knows SHA-1 and SHA-2)`, fpr);
    }
  }
  const claim = checkClaim(result.data, digest);
  if (!claim.ok) return invalid(claim.reason, fpr);
  // openpgp.js checked expiry at now + CLOCK_SKEW_MS, so an answer holds until that much before the first expiry.
  return { valid: true, key: match.trusted.name, fingerprint: fpr, claim: claim.claim, validUntil: validUntil - CLOCK_SKEW_MS };
}

const expiryMs = (at: Date | number | null): number => (at instanceof Date ? at.getTime() : Infinity);

/** When the (sub)key that made a signature expires; now (nothing to reuse) when openpgp.js cannot say. */
async function signingKeyExpiryMs(key: openpgp.Key, keyID: openpgp.KeyID, now: Date): Promise<number> {
  try {
    const signing = await key.getSigningKey(keyID, now);
    return expiryMs(signing === key ? await key.getExpirationTime() : await (signing as openpgp.Subkey).getExpirationTime(now));
  } catch {
    return now.getTime();
  }
}
