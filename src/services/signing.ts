// Release signatures: sign a release with every active key, accept signatures made elsewhere, serve and list them.
import { packageVersion } from '../config/index.js';
import { KusError, quote } from '../errors/index.js';
import { payloadDigest, type Release } from '../graph/index.js';
import {
  claimText, KeyRing, MAX_SIGNATURE_BYTES, requireDigest, signContent, unlockPrivateKey, type Verification,
} from '../signatures/index.js';
import type { Store, StoredKey, StoredSignature } from '../store/index.js';
import { requirePassphrase, type SigningKeys } from './keys.js';
import { channelReport, DigestChecker, releaseReport, type ChannelReport, type DigestStatus, type ReleaseReport } from './signature-report.js';
import { auditedWrite } from './publish/audited-write.js';
import type { Actor, WriteResult } from './publish/types.js';

export { parseStoreRequest, type StoreRequest } from '../signatures/index.js';
export type { ChannelReport, ChannelReach, DigestStatus, KeyCoverage, ReleaseReport, SignatureCheck, TargetStatus } from './signature-report.js';

/** Clusters ask for signature-1 … signature-9 and no further (signatures.md §8). */
export const MAX_SIGNATURES_PER_DIGEST = 9;

/** What is listed about a stored signature (the bytes are served by the signature store routes). */
export interface SignatureInfo {
  digest: string;
  index: number;
  /** Name of the stored key that made it; null when the signer is not a stored key (imported). */
  key: string | null;
  fingerprint: string | null;
  source: StoredSignature['source'];
  createdAt: string;
  size: number;
}

export interface SignedRelease {
  /** `version+arch`. */
  version: string;
  arch: string | null;
  payload: string;
  digest: string;
  /** Every signature of the digest: the ones already stored and the ones this call added. */
  signatures: Array<{ index: number; key: string | null; fingerprint: string | null; added: boolean }>;
}

export interface SigningDeps {
  store: Store;
  keys: SigningKeys;
  /** Finds the stored releases of `VERSION` or `VERSION+ARCH` (Publisher.getRelease), NOT_FOUND when none. */
  releases: (version: string) => Release[];
  passphrase: () => string | undefined;
  now?: () => Date;
  /** `optional.creator` of the claims KUS signs; default `Kylin Update Service <package version>`. */
  creator?: string;
  /**
   * Makes the reports of verifyRelease and verifyChannels elsewhere: `kus serve` has its build worker make them
   * (GraphBuilder.verifySignatures), since a report builds the whole graph. Without it they are made here.
   */
  reports?: (query: VerifyQuery) => Promise<ReleaseReport | ChannelReport>;
}

/** One report: a release and what it reaches (`version`), or the nodes of one channel (`channel`) or of all. */
export interface VerifyQuery {
  version?: string;
  channel?: string;
}


const nodeName = (r: Release): string => (r.arch ? `${r.version}+${r.arch}` : r.version);

/** `registry/repo` of `registry/repo@sha256:…`: the claim's docker-reference. */
export const payloadRepository = (payload: string): string => payload.slice(0, payload.lastIndexOf('@'));

export class Signing {
  private readonly store: Store;
  private readonly keys: SigningKeys;
  private readonly releases: (version: string) => Release[];
  private readonly passphrase: () => string | undefined;
  private readonly now: () => Date;
  private readonly creator: string;
  private readonly reports: SigningDeps['reports'];

  constructor(deps: SigningDeps) {
    this.store = deps.store;
    this.keys = deps.keys;
    this.releases = deps.releases;
    this.passphrase = deps.passphrase;
    this.now = deps.now ?? (() => new Date());
    this.creator = deps.creator ?? `Kylin Update Service ${packageVersion()}`;
    this.reports = deps.reports;
  }

  /**
   * Signs the payload digest of `VERSION` (every architecture) or `VERSION+ARCH` with every active key that has a
   * private part, storing each as the next free signature-N. A key that already signed the digest is not asked
   * again; existing signatures are never overwritten.
   */
  async signRelease(actor: Actor, version: string): Promise<WriteResult<SignedRelease[]>> {
    const what = { action: 'release.sign', target: String(version), request: { version } };
    let prepared: { releases: Release[]; made: Array<{ release: Release; digest: string; key: StoredKey; bytes: Uint8Array }>; warnings: string[] } | KusError;
    try {
      prepared = await this.prepareSigning(version);
    } catch (err) {
      if (!(err instanceof KusError)) throw err;
      prepared = err;
    }
    return auditedWrite(this.store, actor, what, () => {
      if (prepared instanceof KusError) throw prepared;
      const value: SignedRelease[] = [];
      let changed = false;
      for (const release of prepared.releases) {
        const digest = payloadDigest(release.payload)!;
        const entry: SignedRelease = { version: nodeName(release), arch: release.arch, payload: release.payload, digest, signatures: [] };
        for (const stored of this.store.signatures.ofDigest(digest)) {
          const key = stored.keyFingerprint ? this.store.signingKeys.byFingerprint(stored.keyFingerprint) : undefined;
          entry.signatures.push({ index: stored.index, key: key?.name ?? null, fingerprint: stored.keyFingerprint, added: false });
        }
        for (const m of prepared.made.filter((x) => x.release === release)) {
          const index = this.appendChecked(digest, m.bytes, m.key.fingerprint, 'signed');
          entry.signatures.push({ index, key: m.key.name, fingerprint: m.key.fingerprint, added: true });
          changed = true;
        }
        entry.signatures.sort((a, b) => a.index - b.index);
        value.push(entry);
      }
      const after = value.map((v) => ({ version: v.version, digest: v.digest, added: v.signatures.filter((s) => s.added).map((s) => `signature-${s.index} (${s.key})`) }));
      return { value, warnings: prepared.warnings, changed, after };
    });
  }

  /**
   * Accepts a signature made elsewhere (e.g. `gpg --sign` on an offline host) when it verifies against a stored key
   * and its claim names `digest`; otherwise refuses it with the reason, and nothing is stored.
   */
  async uploadSignature(actor: Actor, digestText: string, bytes: Uint8Array): Promise<WriteResult<SignatureInfo>> {
    const what = { action: 'signature.upload', target: String(digestText), request: { digest: digestText, size: bytes.length } };
    let checked: { digest: string; verification: Extract<Verification, { valid: true }> } | KusError;
    try {
      const digest = requireDigest(digestText);
      if (bytes.length > MAX_SIGNATURE_BYTES) {
        throw new KusError('KUS_ERR_INVALID_SIGNATURE', `the signature for ${digest} is ${bytes.length} bytes; a signature is far below the 50 KiB clusters read`, { digest });
      }
      const verification = await (await this.keyRing()).verify(bytes, digest, this.now());
      if (!verification.valid) {
        throw new KusError('KUS_ERR_INVALID_SIGNATURE', `refusing the signature for ${digest}: ${verification.reason}`, { digest, reason: verification.reason });
      }
      checked = { digest, verification };
    } catch (err) {
      if (!(err instanceof KusError)) throw err;
      checked = err;
    }
    return auditedWrite(this.store, actor, what, () => {
      if (checked instanceof KusError) throw checked;
      const { digest, verification } = checked;
      const before = this.store.signatures.ofDigest(digest).length;
      const index = this.appendChecked(digest, bytes, verification.fingerprint, 'uploaded');
      const stored = this.store.signatures.ofDigest(digest).find((s) => s.index === index)!;
      const warnings: string[] = [];
      if (!this.store.releases.list().some((r) => payloadDigest(r.payload) === digest)) {
        warnings.push(`no stored release has payload digest ${digest} (yet); the signature is served anyway`);
      }
      const changed = this.store.signatures.ofDigest(digest).length > before;
      if (!changed) warnings.push(`the same signature is already stored as signature-${index}`);
      return { value: this.info(stored), warnings, changed, after: { digest, index, key: verification.key, fingerprint: verification.fingerprint } };
    });
  }

  /** Signatures of one digest, or of every digest (by digest, then index). */
  listSignatures(digest?: string): SignatureInfo[] {
    const rows = digest === undefined ? this.store.signatures.list() : this.store.signatures.ofDigest(requireDigest(digest));
    return rows.map((s) => this.info(s));
  }

  /** The stored files (with bytes) of one digest or all: for ConfigMaps and exports. */
  signatureFiles(digest?: string): Array<{ digest: string; index: number; bytes: Buffer }> {
    const rows = digest === undefined ? this.store.signatures.list() : this.store.signatures.ofDigest(requireDigest(digest));
    return rows.map(({ digest: d, index, bytes }) => ({ digest: d, index, bytes }));
  }

  /** What the signature store route serves: the bytes as stored, or undefined (a 404 ends a cluster's search). */
  signatureBytes(digest: string, index: number): Buffer | undefined {
    return this.store.signatures.bytes(digest, index);
  }

  /** Whether the release(s) of `VERSION[+ARCH]`, and every target reachable from them in each channel, are signed. */
  async verifyRelease(version: string): Promise<ReleaseReport> {
    if (this.reports) return (await this.reports({ version })) as ReleaseReport;
    const releases = this.releases(version);
    return releaseReport(this.store, await this.checker(), releases, version);
  }

  /** Whether every node of every channel (or of one) is signed by every active key. */
  async verifyChannels(channel?: string): Promise<ChannelReport> {
    if (this.reports) return (await this.reports(channel !== undefined ? { channel } : {})) as ChannelReport;
    return channelReport(this.store, await this.checker(), channel);
  }

  /** Every signature of one digest checked, and which active keys are covered. */
  async verifyDigest(digest: string): Promise<DigestStatus> {
    return (await this.checker()).status(requireDigest(digest));
  }

  /** Every stored key, parsed once: the keys whose signatures KUS accepts. */
  keyRing(): Promise<KeyRing> {
    return KeyRing.load(this.keys.trusted());
  }

  private async checker(): Promise<DigestChecker> {
    return new DigestChecker(this.store, await this.keyRing(), this.now());
  }

  private info(s: StoredSignature): SignatureInfo {
    const key = s.keyFingerprint ? this.store.signingKeys.byFingerprint(s.keyFingerprint) : undefined;
    return {
      digest: s.digest, index: s.index, key: key?.name ?? null, fingerprint: s.keyFingerprint, source: s.source, createdAt: s.createdAt, size: s.bytes.length,
    };
  }

  /** Appends within the caller's transaction, refusing a tenth signature: clusters would never read it. */
  private appendChecked(digest: string, bytes: Uint8Array, fingerprint: string | null, source: StoredSignature['source']): number {
    const existing = this.store.signatures.ofDigest(digest);
    const same = existing.find((s) => s.bytes.equals(Buffer.from(bytes)));
    if (!same && existing.length >= MAX_SIGNATURES_PER_DIGEST) {
      throw new KusError('KUS_ERR_CONFLICT',
        `${digest} already has ${existing.length} signatures; clusters read only signature-1 to signature-${MAX_SIGNATURES_PER_DIGEST}, so another one would never be seen`,
        { digest });
    }
    return this.store.signatures.append({ digest, bytes, keyFingerprint: fingerprint, source }).index;
  }

  private async prepareSigning(version: string) {
    const releases = this.releases(version);
    const unsignable = releases.filter((r) => payloadDigest(r.payload) === null);
    if (unsignable.length > 0) {
      throw new KusError('KUS_ERR_INVALID_PAYLOAD',
        `${nodeName(unsignable[0]!)} has payload ${quote(unsignable[0]!.payload)}, which is not by digest; clusters can verify only releases pulled by digest`);
    }
    const active = this.store.signingKeys.active();
    const signers = active.filter((k) => k.privateKey !== null);
    if (signers.length === 0) {
      throw new KusError('KUS_ERR_NO_SIGNING_KEY',
        active.length === 0
          ? 'there is no active signing key: create one with "kus key generate --name NAME --email EMAIL" or import one with "kus key import FILE"'
          : `the active keys (${active.map((k) => k.name).join(', ')}) are public-only: KUS cannot sign with them; upload signatures made with them ("kus signature upload DIGEST FILE") or import a secret key`);
    }
    const warnings = active.filter((k) => k.privateKey === null).map((k) =>
      `active key ${k.name} is public-only: clusters trusting it also need its signature; make it offline and upload it with "kus signature upload"`);
    const now = this.now();
    const passphrase = requirePassphrase(this.passphrase, 'signing');
    const made: Array<{ release: Release; digest: string; key: StoredKey; bytes: Uint8Array }> = [];
    for (const key of signers) {
      const todo = releases.filter((r) => !this.store.signatures.ofDigest(payloadDigest(r.payload)!).some((s) => s.keyFingerprint === key.fingerprint));
      if (todo.length === 0) continue;
      const privateKey = await unlockPrivateKey(key.privateKey!, passphrase, key.name);
      const expiry = await privateKey.getExpirationTime().catch(() => null);
      if (expiry instanceof Date && expiry.getTime() <= now.getTime()) {
        throw new KusError('KUS_ERR_UNSUPPORTED_KEY',
          `active key ${key.name} (${key.fingerprint}) expired on ${expiry.toISOString()}: it cannot sign; deactivate it with "kus key deactivate ${key.name}" and sign with a current key`,
          { key: key.name });
      }
      for (const release of todo) {
        const digest = payloadDigest(release.payload)!;
        const claim = claimText({ digest, reference: payloadRepository(release.payload), creator: this.creator, timestamp: Math.floor(now.getTime() / 1000) });
        made.push({ release, digest, key, bytes: await signContent(Buffer.from(claim, 'utf8'), privateKey, now) });
      }
    }
    return { releases, made, warnings };
  }
}
