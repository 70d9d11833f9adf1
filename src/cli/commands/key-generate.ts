// `kus key generate`: a new RSA release signing key (the cluster's verifier cannot use EdDSA/Curve25519 keys).
import path from 'node:path';
import { KEY_BITS, KEYS_DIR, SIGNATURES_DIR, writePublicKeyFile } from '../../signatures/index.js';
import { KusError, quote } from '../../errors/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { passphraseFlag, withSigningTarget } from '../signing-target.js';
import { describeKey } from '../signing-output.js';

const DEFAULT_KEYS_DIR = path.join(SIGNATURES_DIR, KEYS_DIR);

export const command: Command = {
  path: ['key', 'generate'],
  summary: 'generate an RSA release signing key (active at once)',
  description: [
    'Creates an OpenPGP RSA key (3072 bits, or 4096 with --bits 4096) with OpenPGP.js. RSA because the cluster-version',
    'operator verifies signatures with golang.org/x/crypto/openpgp, which rejects EdDSA/Curve25519 keys ("unsupported',
    'feature: public key type: 22"). The private key is stored encrypted with the signing passphrase',
    '(KUS_SIGNING_PASSPHRASE or --passphrase-file; with --server, the server\'s). The public key is written to',
    `${DEFAULT_KEYS_DIR}/NAME.asc (--keys-dir) and can be printed again with "kus key export NAME".`,
    '',
    'Several keys may be active at once (rotation): "kus release sign" signs with every active key, and',
    '"kus verifier-configmap" ships every active key.',
  ].join('\n'),
  flags: {
    name: { type: 'string', valueName: 'NAME', required: true, description: 'key name: lowercase letters, digits and "-" (becomes verifier-public-key-NAME)' },
    email: { type: 'string', valueName: 'EMAIL', required: true, description: 'e-mail address of the key\'s user ID' },
    bits: { type: 'string', valueName: 'BITS', default: String(KEY_BITS[0]), description: `RSA modulus size: ${KEY_BITS.join(' or ')}` },
    'keys-dir': { type: 'string', valueName: 'DIR', default: DEFAULT_KEYS_DIR, description: 'where NAME.asc (the public key) is written' },
    'no-key-file': { type: 'boolean', description: 'do not write the public key file' },
    ...passphraseFlag,
    ...targetFlags,
  },
  examples: [
    'export KUS_SIGNING_PASSPHRASE=...   # or --passphrase-file /run/secrets/kus-signing',
    'kus key generate --name kylin-2026 --email release@kylin.example --bits 4096',
  ],
  async run(ctx) {
    const bitsText = stringFlag(ctx.flags, 'bits')!;
    const bits = Number(bitsText);
    if (!(KEY_BITS as readonly number[]).includes(bits)) throw new KusError('KUS_ERR_USAGE', `--bits ${quote(bitsText)} must be ${KEY_BITS.join(' or ')}`);
    const name = stringFlag(ctx.flags, 'name')!;
    await withSigningTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.generateKey({ name, email: stringFlag(ctx.flags, 'email')!, bits });
      const file = ctx.flags['no-key-file'] === true ? null : writePublicKeyFile(stringFlag(ctx.flags, 'keys-dir')!, outcome.value.name, outcome.value.publicKey);
      emit(ctx, { ...outcome, value: { ...outcome.value, publicKeyFile: file } }, (k) =>
        `generated key ${k.name} in ${target.where}\n${describeKey(k)}${file ? `  public key written to ${file}\n` : ''}`);
    });
  },
};
