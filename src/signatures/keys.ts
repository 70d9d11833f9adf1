// OpenPGP keys the cluster can use: RSA generation, reading key files, the usability check, private-key protection.
import type * as openpgp from 'openpgp';
import { loadedOpenpgp, loadOpenpgp } from './openpgp.js';
import { KusError, quote } from '../errors/index.js';

export const KEY_BITS = [3072, 4096] as const;
export type KeyBits = (typeof KEY_BITS)[number];

/** RSA below this is refused on import: it is no longer considered safe for a long-lived release key. */
const MIN_IMPORT_BITS = 2048;

/** Why a non-RSA key is refused: the sentence every refusal ends with. */
export const CLUSTER_KEY_LIMITS =
  'the cluster verifies with golang.org/x/crypto/openpgp, which rejects public key type 22 (EdDSA, as used by Ed25519 ' +
  'and Curve25519 keys: "unsupported feature: public key type: 22"), the RFC 9580 types 25-28 and v5/v6 key packets, ' +
  'and drops a whole key when any of its subkeys is of such a type; use an RSA key without ECC subkeys ' +
  '("kus key generate", or gpg --quick-gen-key "NAME <EMAIL>" rsa4096 sign never)';

/** Names become ConfigMap data keys (`verifier-public-key-<name>`) and file names (`<name>.asc`). */
const KEY_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function keyNameProblem(name: string): string | null {
  return KEY_NAME_RE.test(name)
    ? null
    : `key name ${quote(name)} must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit (it becomes the ConfigMap key verifier-public-key-<name>)`;
}

export function requireKeyName(name: unknown): string {
  if (typeof name !== 'string') throw new KusError('KUS_ERR_BAD_REQUEST', `a key name must be a string; got ${quote(name)}`);
  const problem = keyNameProblem(name);
  if (problem) throw new KusError('KUS_ERR_BAD_REQUEST', problem, { value: name });
  return name;
}

/** What KUS records and shows about a key. */
export interface KeyFacts {
  /** 40 uppercase hex digits, as gpg and the cluster print it. */
  fingerprint: string;
  userIds: string[];
  /** e.g. `rsa3072`. */
  algorithm: string;
  createdAt: string;
  /** null when the key never expires. */
  expiresAt: string | null;
}

export interface ParsedKey {
  facts: KeyFacts;
  /** The armored public key (certificate) alone. */
  publicKey: string;
  /** Present when the file held a secret key (maybe still encrypted with its own passphrase). */
  privateKey: openpgp.PrivateKey | null;
}

function algorithmName(key: openpgp.Key | openpgp.Subkey): string {
  const info = key.getAlgorithmInfo();
  const bits = 'bits' in info && typeof info.bits === 'number' ? info.bits : null;
  if (info.algorithm.startsWith('rsa')) return `rsa${bits ?? ''}`;
  // The OpenPGP algorithm number is what Go's error names ("unsupported feature: public key type: 22").
  const id = Object.entries(loadedOpenpgp().enums.publicKey).find(([name]) => name === info.algorithm)?.[1];
  const curve = 'curve' in info && info.curve ? `(${info.curve})` : '';
  return `${info.algorithm}${curve}${id === undefined ? '' : ` [public key type ${id}]`}`;
}

async function factsOf(key: openpgp.Key): Promise<KeyFacts> {
  const expiry = await key.getExpirationTime().catch(() => null);
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    userIds: key.getUserIDs(),
    algorithm: algorithmName(key),
    createdAt: key.getCreationTime().toISOString(),
    expiresAt: expiry instanceof Date ? expiry.toISOString() : null,
  };
}

/** Reasons the cluster could not use this key (empty when it can). */
export function keyProblems(key: openpgp.Key): string[] {
  const problems: string[] = [];
  const check = (k: openpgp.Key | openpgp.Subkey, what: string): void => {
    const version = k.keyPacket.version;
    if (version !== 4) problems.push(`${what} is a v${version} key packet`);
    const info = k.getAlgorithmInfo();
    if (!info.algorithm.startsWith('rsa')) {
      problems.push(`${what} is ${algorithmName(k)}, not RSA`);
    } else if ('bits' in info && typeof info.bits === 'number' && info.bits < MIN_IMPORT_BITS) {
      problems.push(`${what} is RSA with only ${info.bits} bits (at least ${MIN_IMPORT_BITS}; KUS generates 3072 or 4096)`);
    }
  };
  check(key, 'the primary key');
  key.getSubkeys().forEach((sub, i) => check(sub, `subkey ${i + 1} (${sub.getFingerprint().toUpperCase()})`));
  return problems;
}

function refuseUnusable(key: openpgp.Key, source: string): void {
  const problems = keyProblems(key);
  if (problems.length > 0) {
    throw new KusError('KUS_ERR_UNSUPPORTED_KEY',
      `refusing key ${key.getFingerprint().toUpperCase()} from ${source}: ${problems.join('; ')}. Clusters cannot use it: ${CLUSTER_KEY_LIMITS}`,
      { fingerprint: key.getFingerprint().toUpperCase(), problems });
  }
}

async function refuseExpired(key: openpgp.Key, source: string, now: Date): Promise<void> {
  const expiry = await key.getExpirationTime().catch(() => null);
  if (expiry instanceof Date && expiry.getTime() <= now.getTime()) {
    throw new KusError('KUS_ERR_UNSUPPORTED_KEY',
      `refusing key ${key.getFingerprint().toUpperCase()} from ${source}: it expired on ${expiry.toISOString()}; extend it (gpg --quick-set-expire) or use another key`,
      { fingerprint: key.getFingerprint().toUpperCase(), expiresAt: expiry.toISOString() });
  }
  if (await key.isRevoked(undefined, undefined, now)) {
    throw new KusError('KUS_ERR_UNSUPPORTED_KEY', `refusing key ${key.getFingerprint().toUpperCase()} from ${source}: it is revoked`,
      { fingerprint: key.getFingerprint().toUpperCase() });
  }
}

const ARMOR_RE = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----/;

/** OpenPGP.js refuses v5 packets unless asked; reading them lets KUS say why they are refused instead of "cannot parse". */
const READ_CONFIG = { enableParsingV5Entities: true } as const;

/**
 * Reads one key (armored or binary, public or secret) and refuses what the cluster cannot use, expired and revoked
 * keys included. `source` names the file or request in messages.
 */
export async function readKeyFile(data: Uint8Array, source: string, now: Date): Promise<ParsedKey> {
  const pgp = await loadOpenpgp();
  const text = Buffer.from(data).toString('latin1');
  let keys: openpgp.Key[];
  try {
    keys = ARMOR_RE.test(text)
      ? await pgp.readKeys({ armoredKeys: Buffer.from(data).toString('utf8'), config: READ_CONFIG })
      : await pgp.readKeys({ binaryKeys: data, config: READ_CONFIG });
  } catch (err) {
    throw new KusError('KUS_ERR_UNSUPPORTED_KEY',
      `cannot read an OpenPGP key from ${source}: ${(err as Error).message}. Pass an armored or binary public or secret key ` +
        `(gpg --armor --export NAME, or gpg --armor --export-secret-keys NAME); note that ${CLUSTER_KEY_LIMITS}`,
      { source }, { cause: err });
  }
  if (keys.length !== 1) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `${source} holds ${keys.length} keys; import them one at a time (gpg --armor --export FINGERPRINT)`, { source });
  }
  const key = keys[0]!;
  refuseUnusable(key, source);
  await refuseExpired(key, source, now);
  return {
    facts: await factsOf(key),
    publicKey: key.toPublic().armor(),
    privateKey: key.isPrivate() ? key : null,
  };
}

/** Facts of a stored armored public key. */
export async function describePublicKey(armored: string): Promise<KeyFacts> {
  const pgp = await loadOpenpgp();
  return factsOf(await pgp.readKey({ armoredKey: armored }));
}

export interface GeneratedKey {
  facts: KeyFacts;
  publicKey: string;
  /** Armored, encrypted with the passphrase. */
  privateKey: string;
}

/** A new RSA key (primary key certifies and signs; an RSA subkey for encryption, as gpg makes them). */
export async function generateSigningKey(options: {
  name: string; email: string; bits: number; passphrase: string; date: Date; expiresInSeconds?: number;
}): Promise<GeneratedKey> {
  if (!(KEY_BITS as readonly number[]).includes(options.bits)) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `--bits ${quote(options.bits)} must be ${KEY_BITS.join(' or ')}`, { value: options.bits });
  }
  const userId = { name: options.name, email: options.email };
  const pgp = await loadOpenpgp();
  let pair;
  try {
    pair = await pgp.generateKey({
      type: 'rsa',
      rsaBits: options.bits,
      userIDs: [userId],
      passphrase: options.passphrase,
      date: options.date,
      keyExpirationTime: options.expiresInSeconds ?? 0,
      format: 'object',
    });
  } catch (err) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `cannot generate a key for ${quote(`${options.name} <${options.email}>`)}: ${(err as Error).message}`, {}, { cause: err });
  }
  refuseUnusable(pair.publicKey, 'the generated key');
  return { facts: await factsOf(pair.publicKey), publicKey: pair.publicKey.armor(), privateKey: pair.privateKey.armor() };
}

/**
 * The private key as KUS stores it: decrypted with the key's own passphrase (if it has one) and encrypted again with
 * the signing passphrase.
 */
export async function protectPrivateKey(key: openpgp.PrivateKey, options: { keyPassphrase?: string; passphrase: string }): Promise<string> {
  const pgp = await loadOpenpgp();
  let unlocked = key;
  if (!key.isDecrypted()) {
    const tries = [options.keyPassphrase, options.passphrase].filter((p): p is string => p !== undefined);
    try {
      unlocked = await pgp.decryptKey({ privateKey: key, passphrase: tries });
    } catch (err) {
      throw new KusError('KUS_ERR_SIGNING_PASSPHRASE',
        `cannot unlock the secret key ${key.getFingerprint().toUpperCase()}: ${(err as Error).message}; pass its passphrase with --key-passphrase-file`,
        { fingerprint: key.getFingerprint().toUpperCase() }, { cause: err });
    }
  }
  const encrypted = await pgp.encryptKey({ privateKey: unlocked, passphrase: options.passphrase });
  return encrypted.armor();
}

/** A stored private key, unlocked for signing. */
export async function unlockPrivateKey(armored: string, passphrase: string, name: string): Promise<openpgp.PrivateKey> {
  const pgp = await loadOpenpgp();
  const key = await pgp.readPrivateKey({ armoredKey: armored });
  try {
    return await pgp.decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    throw new KusError('KUS_ERR_SIGNING_PASSPHRASE',
      `cannot unlock the private key of ${quote(name)} (${key.getFingerprint().toUpperCase()}): the signing passphrase (KUS_SIGNING_PASSPHRASE or --passphrase-file) is not the one it was stored with`,
      { key: name }, { cause: err });
  }
}
