// What the signing commands act on: a local store (--db, services in-process) or a running server (--server/--token).
import { openContext } from '../compose/index.js';
import { KusError, quote } from '../errors/index.js';
import { passphraseSource, SigningKeys, type KeyInfo, type KeyWithPublic } from '../services/keys.js';
import { Publisher } from '../services/publisher.js';
import { Signing, type ChannelReport, type ReleaseReport, type SignatureInfo, type SignedRelease } from '../services/signing.js';
import { AdminClient, segment as s, type AdminClientOptions } from './admin-client.js';
import { chooseTarget } from './target-choice.js';
import { storeOptions, stringFlag, type CommandContext, type FlagSpec } from './command.js';
import { localActor } from './local-target.js';
import { closeAfter, type Outcome } from './target.js';

export interface KeyImportInput {
  data: Uint8Array;
  source: string;
  name?: string;
  keyPassphrase?: string;
  active?: boolean;
}

export interface SignatureFileData {
  digest: string;
  index: number;
  bytes: Buffer;
}

export interface SigningTarget {
  readonly where: string;
  /** True when acting on a local store (where the signing passphrase of this shell is used). */
  readonly local: boolean;
  listKeys(): Promise<Outcome<KeyInfo[]>>;
  getKey(name: string): Promise<Outcome<KeyWithPublic>>;
  setKeyActive(name: string, active: boolean): Promise<Outcome<KeyInfo>>;
  generateKey(input: { name: string; email: string; bits?: number }): Promise<Outcome<KeyWithPublic>>;
  importKey(input: KeyImportInput): Promise<Outcome<KeyWithPublic>>;
  signRelease(version: string): Promise<Outcome<SignedRelease[]>>;
  uploadSignature(digest: string, bytes: Uint8Array): Promise<Outcome<SignatureInfo>>;
  listSignatures(digest?: string): Promise<Outcome<SignatureInfo[]>>;
  signatureFiles(digest?: string): Promise<SignatureFileData[]>;
  verifyRelease(version: string): Promise<Outcome<ReleaseReport>>;
  verifyChannels(channel?: string): Promise<Outcome<ChannelReport>>;
  /** Closes the local store (removing it again when the command failed on a store it created). */
  close(failed?: boolean): void;
}

/** `--passphrase-file` of the commands that unlock or store a private key locally. */
export const passphraseFlag: Record<string, FlagSpec> = {
  'passphrase-file': {
    type: 'string',
    valueName: 'FILE',
    description: 'file whose first line is the signing passphrase protecting stored private keys (default: env KUS_SIGNING_PASSPHRASE); local store only, a server uses its own',
  },
};

const read = <T>(value: T): Outcome<T> => ({ value, warnings: [] });

function localSigningTarget(ctx: CommandContext, options: { create: boolean }): SigningTarget {
  const context = openContext(storeOptions(ctx, options.create));
  const store = context.store;
  const passphrase = passphraseSource({ file: stringFlag(ctx.flags, 'passphrase-file'), env: ctx.env });
  const publisher = new Publisher({ store, rebuild: () => undefined });
  const keys = new SigningKeys({ store, passphrase });
  const signing = new Signing({ store, keys, releases: (v) => publisher.getRelease(v), passphrase });
  const actor = localActor();
  return {
    where: `store ${quote(context.file)}`,
    local: true,
    listKeys: async () => read(await keys.list()),
    getKey: async (name) => read(await keys.get(name)),
    setKeyActive: (name, active) => keys.setActive(actor, name, active),
    generateKey: (input) => keys.generate(actor, input),
    importKey: (input) => keys.import(actor, input),
    signRelease: (version) => signing.signRelease(actor, version),
    uploadSignature: (digest, bytes) => signing.uploadSignature(actor, digest, bytes),
    listSignatures: async (digest) => read(signing.listSignatures(digest)),
    signatureFiles: async (digest) => signing.signatureFiles(digest),
    verifyRelease: async (version) => read(await signing.verifyRelease(version)),
    verifyChannels: async (channel) => read(await signing.verifyChannels(channel)),
    close: (failed) => (failed ? context.discard() : context.close()),
  };
}

function remoteSigningTarget(options: AdminClientOptions): SigningTarget {
  const api = new AdminClient(options);
  return {
    where: `server ${JSON.stringify(api.server)}`,
    local: false,
    listKeys: () => api.get('/keys'),
    getKey: (name) => api.get(`/keys/${s(name)}`),
    setKeyActive: (name, active) => api.put(`/keys/${s(name)}/active`, { active }),
    generateKey: (input) => api.post('/keys/generate', input),
    importKey: (input) => api.post('/keys', {
      key: Buffer.from(input.data).toString('utf8'),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.keyPassphrase !== undefined ? { keyPassphrase: input.keyPassphrase } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    }),
    signRelease: (version) => api.post('/signatures/sign', { version }),
    uploadSignature: (digest, bytes) => api.post('/signatures', { digest, signature: Buffer.from(bytes).toString('base64') }),
    listSignatures: (digest) => api.get('/signatures', { digest }),
    signatureFiles: async (digest) => {
      const { value } = await api.get<Array<SignatureInfo & { data: string }>>('/signatures', { digest, data: true });
      return value.map((v) => ({ digest: v.digest, index: v.index, bytes: Buffer.from(v.data, 'base64') }));
    },
    verifyRelease: (version) => api.get('/signatures/verify', { version }),
    verifyChannels: (channel) => api.get('/signatures/verify', { channel }),
    close: () => undefined,
  };
}

/** `--server` (or KUS_SERVER) selects the admin API; otherwise the local store at `--db`, as for the publishing commands. */
export function openSigningTarget(ctx: CommandContext, options: { create: boolean }): SigningTarget {
  const choice = chooseTarget(ctx);
  if (choice.kind === 'local') return localSigningTarget(ctx, { create: options.create });
  if (stringFlag(ctx.flags, 'passphrase-file') !== undefined) {
    throw new KusError('KUS_ERR_USAGE', '--passphrase-file is for a local store; a server signs with its own passphrase (kus serve --signing-passphrase-file)');
  }
  return remoteSigningTarget(choice.options);
}

/** Opens the target, runs fn, closes the store whatever happened. */
export async function withSigningTarget<T>(ctx: CommandContext, options: { create: boolean }, fn: (target: SigningTarget) => Promise<T>): Promise<T> {
  return closeAfter(openSigningTarget(ctx, options), fn);
}
