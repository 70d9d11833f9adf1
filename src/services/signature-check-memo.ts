// What a replica's last sync found of each signature, so that the next sync verifies only the signatures that are new.
// At upstream scale a signed snapshot carries a signature per release (6,251): verifying them all took ~3 s of CPU
// per sync, which made an idle replica sync every ~9 s and a loaded one (its worker runs at nice 10) far slower.
import { createHash } from 'node:crypto';
import type { KeyRing, TrustedKey, Verification } from '../signatures/index.js';

interface Known {
  verification: Verification;
  /** Reused only before this time (ms since the epoch): see Verification's validUntil. */
  until: number;
}

/**
 * Verifications keyed by the digest a signature claims and the SHA-256 of its bytes, for one set of keys: different
 * keys (one added, removed, revoked or renewed: its armored text changes) forget everything. A signature is verified
 * again once its key or itself expires. Only answers that let a sync go on are kept (valid, or by a key KUS does not
 * hold); an invalid signature refuses the sync and is verified again at the next one.
 */
export class SignatureCheckMemo {
  private keys: string | undefined;
  private known = new Map<string, Known>();
  private met = new Map<string, Known>();
  /** How many signatures the last read verified; the others were known from an earlier one. */
  verified = 0;

  /** Starts a read of one snapshot's signatures, verified with `keys`. */
  begin(keys: readonly TrustedKey[]): void {
    const id = keys.map((k) => `${k.fingerprint}\u0000${k.publicKey}`).sort().join('\u0001');
    if (id !== this.keys) {
      this.keys = id;
      this.known = new Map();
    }
    this.met = new Map();
    this.verified = 0;
  }

  async verify(ring: KeyRing, bytes: Uint8Array, digest: string, now: Date): Promise<Verification> {
    const id = `${digest}\u0000${createHash('sha256').update(bytes).digest('base64')}`;
    const known = this.known.get(id);
    if (known !== undefined && now.getTime() < known.until) {
      this.met.set(id, known);
      return known.verification;
    }
    const verification = await ring.verify(bytes, digest, now);
    this.verified++;
    const until = verification.valid ? verification.validUntil : verification.untrusted !== undefined ? Infinity : undefined;
    if (until !== undefined) this.met.set(id, { verification, until });
    return verification;
  }

  /** Ends a read: what it met is what is kept, so the memo never holds more than one snapshot's signatures. */
  end(): void {
    this.known = this.met;
    this.met = new Map();
  }
}
