// Release signing keys: generate (RSA), import, list, export, (de)activate; private keys kept encrypted, writes audited.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import {
  describePublicKey, generateSigningKey, KEY_BITS, protectPrivateKey, readKeyFile, requireKeyName, type KeyFacts, type TrustedKey,
} from '../signatures/index.js';
import type { Store, StoredKey } from '../store/index.js';
import { auditedWrite } from './publish/audited-write.js';
import type { Actor, WriteResult } from './publish/types.js';

/** The environment variable holding the passphrase that protects stored private keys. */
export const PASSPHRASE_ENV = 'KUS_SIGNING_PASSPHRASE';

/** What `kus key list` and the admin API show about a key (never the private part). */
export interface KeyInfo extends KeyFacts {
  name: string;
  active: boolean;
  /** KUS can sign with it (it holds the private key); false for a key imported public-only. */
  canSign: boolean;
  /** When it was added to KUS. */
  addedAt: string;
}

export interface KeyWithPublic extends KeyInfo {
  publicKey: string;
}

export interface SigningKeysDeps {
  store: Store;
  /** The signing passphrase, asked for only when a private key is stored or used. */
  passphrase: () => string | undefined;
  now?: () => Date;
}

/**
 * The passphrase from `--passphrase-file` (first line) or KUS_SIGNING_PASSPHRASE; undefined when neither is set.
 * Reading happens when asked, so commands that never touch a private key do not need one.
 */
export function passphraseSource(options: { file?: string | undefined; env: NodeJS.ProcessEnv }): () => string | undefined {
  return () => {
    if (options.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(options.file, 'utf8');
      } catch (err) {
        throw new KusError('KUS_ERR_IO', `cannot read the passphrase file ${quote(options.file)}: ${(err as Error).message}`, { file: options.file }, { cause: err });
      }
      return text.split(/\r?\n/)[0];
    }
    const value = options.env[PASSPHRASE_ENV];
    return value === undefined || value === '' ? undefined : value;
  };
}

/**
 * `kus serve`'s passphrase: the file (or KUS_SIGNING_PASSPHRASE) is read once at start, so a missing file stops the
 * start instead of a later signing request.
 */
export function serverPassphrase(options: { file?: string | undefined; env: NodeJS.ProcessEnv }): () => string | undefined {
  const value = passphraseSource(options)();
  return () => value;
}

/** The passphrase, or a refusal that says where to put one. */
export function requirePassphrase(source: () => string | undefined, why: string): string {
  const value = source();
  if (value === undefined || value === '') {
    throw new KusError('KUS_ERR_SIGNING_PASSPHRASE',
      `${why} needs the signing passphrase that protects stored private keys: set ${PASSPHRASE_ENV} or pass --passphrase-file FILE (for "kus serve": --signing-passphrase-file FILE)`);
  }
  return value;
}

/** A key name from the user ID when none is given: `Kylin Release <release@kylin.example>` → `release`. */
function nameFromUserIds(userIds: readonly string[]): string {
  const first = userIds[0] ?? '';
  const email = /<([^@>]+)@/.exec(first)?.[1];
  const base = (email ?? first).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return base === '' ? 'key' : base;
}

const info = (stored: StoredKey, facts: KeyFacts): KeyInfo => ({
  name: stored.name,
  ...facts,
  active: stored.active,
  canSign: stored.privateKey !== null,
  addedAt: stored.createdAt,
});

export class SigningKeys {
  private readonly store: Store;
  private readonly passphrase: () => string | undefined;
  private readonly now: () => Date;

  constructor(deps: SigningKeysDeps) {
    this.store = deps.store;
    this.passphrase = deps.passphrase;
    this.now = deps.now ?? (() => new Date());
  }

  /** A new RSA key (3072 or 4096 bits), active at once: every release signed from now on gets its signature too. */
  async generate(actor: Actor, input: { name: string; email: string; bits?: number; expiresInSeconds?: number }): Promise<WriteResult<KeyWithPublic>> {
    const request = { name: input.name, email: input.email, bits: input.bits ?? KEY_BITS[0] };
    let prepared: { stored: StoredKey; facts: KeyFacts } | KusError;
    try {
      const name = requireKeyName(input.name);
      if (typeof input.email !== 'string' || !/^[^\s<>@]+@[^\s<>@]+$/.test(input.email)) {
        throw new KusError('KUS_ERR_BAD_REQUEST', `--email ${quote(input.email)} is not an e-mail address`, { value: input.email });
      }
      this.refuseTakenName(name);
      const passphrase = requirePassphrase(this.passphrase, 'generating a key');
      const now = this.now();
      const key = await generateSigningKey({
        name: `${input.name}`, email: input.email, bits: request.bits, passphrase, date: now,
        ...(input.expiresInSeconds !== undefined ? { expiresInSeconds: input.expiresInSeconds } : {}),
      });
      prepared = {
        stored: { name, fingerprint: key.facts.fingerprint, publicKey: key.publicKey, privateKey: key.privateKey, active: true, createdAt: now.toISOString() },
        facts: key.facts,
      };
    } catch (err) {
      if (!(err instanceof KusError)) throw err;
      prepared = err;
    }
    return this.insert(actor, 'key.generate', String(input.name), request, prepared);
  }

  /**
   * Imports one key from a file's bytes: a public key (trusted for uploaded signatures and shipped to clusters, but
   * KUS cannot sign with it) or a secret key (re-encrypted with the signing passphrase). Keys clusters cannot use are
   * refused with the reason.
   */
  async import(actor: Actor, input: { data: Uint8Array; source: string; name?: string; keyPassphrase?: string; active?: boolean }): Promise<WriteResult<KeyWithPublic>> {
    const request = { source: input.source, name: input.name ?? null, active: input.active ?? true };
    let prepared: { stored: StoredKey; facts: KeyFacts } | KusError;
    let target = input.name ?? input.source;
    try {
      const parsed = await readKeyFile(input.data, quote(input.source), this.now());
      const name = requireKeyName(input.name ?? nameFromUserIds(parsed.facts.userIds));
      target = name;
      const existing = this.store.signingKeys.byFingerprint(parsed.facts.fingerprint);
      if (existing) {
        throw new KusError('KUS_ERR_CONFLICT', `key ${parsed.facts.fingerprint} is already stored as ${quote(existing.name)}`, { name: existing.name });
      }
      this.refuseTakenName(name, input.name === undefined);
      const privateKey = parsed.privateKey
        ? await protectPrivateKey(parsed.privateKey, {
          ...(input.keyPassphrase !== undefined ? { keyPassphrase: input.keyPassphrase } : {}),
          passphrase: requirePassphrase(this.passphrase, 'importing a secret key'),
        })
        : null;
      prepared = {
        stored: {
          name, fingerprint: parsed.facts.fingerprint, publicKey: parsed.publicKey, privateKey, active: input.active ?? true,
          createdAt: this.now().toISOString(),
        },
        facts: parsed.facts,
      };
    } catch (err) {
      if (!(err instanceof KusError)) throw err;
      prepared = err;
    }
    return this.insert(actor, 'key.import', target, request, prepared);
  }

  /** Oldest first. */
  async list(): Promise<KeyInfo[]> {
    return Promise.all(this.store.signingKeys.list().map(async (k) => info(k, await describePublicKey(k.publicKey))));
  }

  async get(name: string): Promise<KeyWithPublic> {
    const stored = this.require(name);
    return { ...info(stored, await describePublicKey(stored.publicKey)), publicKey: stored.publicKey };
  }

  /** The armored public key, as `kus key export` prints it. */
  exportPublic(name: string): string {
    return this.require(name).publicKey;
  }

  /**
   * Active keys sign new releases and go into the verifier ConfigMap; an inactive key stays trusted for signatures
   * already made (rotation: activate the new key, ship a payload trusting both, then deactivate the old one).
   */
  async setActive(actor: Actor, name: string, active: boolean): Promise<WriteResult<KeyInfo>> {
    const stored = this.store.signingKeys.byName(name);
    const facts = stored ? await describePublicKey(stored.publicKey) : undefined;
    return auditedWrite(this.store, actor, { action: active ? 'key.activate' : 'key.deactivate', target: String(name), request: { name, active } }, () => {
      const current = this.require(name);
      if (current.active === active) return { value: info(current, facts!), warnings: [], changed: false };
      this.store.signingKeys.setActive(name, active);
      const warnings = !active && this.store.signingKeys.active().length === 0
        ? ['no key is active now: releases cannot be signed and kus verifier-configmap has no key to ship']
        : [];
      return { value: info({ ...current, active }, facts!), warnings, changed: true, before: { active: current.active }, after: { active } };
    });
  }

  /** Every stored key, active or not: signatures made by any of them are accepted. */
  trusted(): TrustedKey[] {
    return this.store.signingKeys.list().map((k) => ({ name: k.name, fingerprint: k.fingerprint, publicKey: k.publicKey }));
  }

  private require(name: string): StoredKey {
    const stored = this.store.signingKeys.byName(name);
    if (!stored) {
      const names = this.store.signingKeys.list().map((k) => k.name);
      throw new KusError('KUS_ERR_NOT_FOUND',
        `there is no signing key ${quote(name)} (${names.length === 0 ? 'none is stored yet: kus key generate or kus key import' : `stored: ${names.join(', ')}`})`,
        { name });
    }
    return stored;
  }

  private refuseTakenName(name: string, derived = false): void {
    if (this.store.signingKeys.byName(name)) {
      throw new KusError('KUS_ERR_CONFLICT',
        `a signing key named ${quote(name)} already exists; ${derived ? 'pass --name to choose another name' : 'choose another name'}`, { name });
    }
  }

  /** The write, or the refusal recorded in the audit log (async checks ran before; this part is synchronous). */
  private insert(actor: Actor, action: string, target: string, request: unknown, prepared: { stored: StoredKey; facts: KeyFacts } | KusError): WriteResult<KeyWithPublic> {
    return auditedWrite(this.store, actor, { action, target, request }, () => {
      if (prepared instanceof KusError) throw prepared;
      const { stored, facts } = prepared;
      // Checked again inside the transaction: another writer may have taken the name or key since.
      if (this.store.signingKeys.byName(stored.name) || this.store.signingKeys.byFingerprint(stored.fingerprint)) {
        throw new KusError('KUS_ERR_CONFLICT', `a signing key named ${quote(stored.name)} or with fingerprint ${stored.fingerprint} already exists`, { name: stored.name });
      }
      this.store.signingKeys.insert(stored);
      const value: KeyWithPublic = { ...info(stored, facts), publicKey: stored.publicKey };
      const warnings = stored.privateKey === null
        ? [`${stored.name} is public-only: KUS cannot sign with it; upload signatures made with it by "kus signature upload"`]
        : [];
      return {
        value, warnings, changed: true,
        after: { name: stored.name, fingerprint: stored.fingerprint, algorithm: facts.algorithm, userIds: facts.userIds, canSign: value.canSign, active: stored.active },
      };
    });
  }
}
