// `kus key import`: trust a public key (offline signer) or take over a secret key; refuses keys clusters cannot use.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../../errors/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { passphraseFlag, withSigningTarget } from '../signing-target.js';
import { describeKey } from '../signing-output.js';

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read ${what} ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
}

export const command: Command = {
  path: ['key', 'import'],
  summary: 'import an OpenPGP key (public: trusted; secret: also signs)',
  description: [
    'Reads one OpenPGP key, armored or binary. A public key (gpg --armor --export NAME) is trusted for "kus signature',
    'upload" and shipped by "kus verifier-configmap" when active, but KUS cannot sign with it: that is the offline',
    'signer set-up. A secret key (gpg --armor --export-secret-keys NAME) is decrypted with --key-passphrase-file (or the',
    'signing passphrase) and stored encrypted with the signing passphrase.',
    '',
    'Keys the cluster cannot use are refused with the reason: anything but RSA (EdDSA/Ed25519, Curve25519, other ECC),',
    'ECC subkeys, v5/v6 key packets (golang.org/x/crypto/openpgp, the cluster\'s verifier, rejects them: "unsupported',
    'feature: public key type: 22"), RSA below 2048 bits, expired or revoked keys.',
  ].join('\n'),
  positionals: [{ name: 'FILE', required: true, description: 'the key file' }],
  flags: {
    name: { type: 'string', valueName: 'NAME', description: 'key name (default: from the user ID\'s e-mail address)' },
    'key-passphrase-file': { type: 'string', valueName: 'FILE', description: 'file whose first line unlocks an encrypted secret key' },
    inactive: { type: 'boolean', description: 'store the key inactive (trusted, but not used for new signatures nor shipped)' },
    ...passphraseFlag,
    ...targetFlags,
  },
  examples: [
    'gpg --armor --export release@kylin.example > offline.asc && kus key import offline.asc --name offline-2026',
    'kus key import secret.asc --key-passphrase-file ./old-pass --passphrase-file /run/secrets/kus-signing',
  ],
  async run(ctx) {
    const file = ctx.positionals[0]!;
    const data = readFile(file, 'the key file');
    const passFile = stringFlag(ctx.flags, 'key-passphrase-file');
    const keyPassphrase = passFile === undefined ? undefined : readFile(passFile, 'the key passphrase file').toString('utf8').split(/\r?\n/)[0]!;
    const name = stringFlag(ctx.flags, 'name');
    await withSigningTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.importKey({
        data, source: file, ...(name !== undefined ? { name } : {}), ...(keyPassphrase !== undefined ? { keyPassphrase } : {}),
        active: ctx.flags.inactive !== true,
      });
      emit(ctx, outcome, (k) => `imported key ${k.name} into ${target.where}\n${describeKey(k)}`);
    });
  },
};
