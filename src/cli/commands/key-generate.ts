// `kus key generate`: a new RSA release signing key (the cluster's verifier cannot use EdDSA/Curve25519 keys).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KEY_BITS } from '../../signatures/index.js';
import { KusError, quote } from '../../errors/index.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { passphraseFlag, withSigningTarget } from '../signing-target.js';
import { describeKey } from '../signing-output.js';
import { withProgress } from '../progress.js';

export const command: Command = {
  path: ['key', 'generate'],
  summary: 'generate an RSA release signing key (active at once)',
  description: [
    'Creates an OpenPGP RSA key (3072 bits, or 4096 with --bits 4096) with OpenPGP.js. RSA because the cluster-version',
    'operator verifies signatures with golang.org/x/crypto/openpgp, which rejects EdDSA/Curve25519 keys ("unsupported',
    'feature: public key type: 22"). The private key is stored encrypted with the signing passphrase',
    '(KUS_SIGNING_PASSPHRASE or --passphrase-file; with --server, the server\'s). The public key is written to --out',
    'FILE, or else printed (in the JSON as publicKey with --json); "kus key export NAME" prints it again at any time.',
    'Nothing is written into the working directory unless you name it.',
    '',
    'Several keys may be active at once (rotation): "kus release sign" signs with every active key, and',
    '"kus verifier-configmap" ships every active key.',
  ].join('\n'),
  flags: {
    name: { type: 'string', valueName: 'NAME', required: true, description: 'key name: lowercase letters, digits and "-" (becomes verifier-public-key-NAME)' },
    email: { type: 'string', valueName: 'EMAIL', required: true, description: 'e-mail address of the key\'s user ID' },
    bits: { type: 'string', valueName: 'BITS', default: String(KEY_BITS[0]), description: `RSA modulus size: ${KEY_BITS.join(' or ')}` },
    out: { type: 'string', valueName: 'FILE', description: 'write the armored public key to FILE (replaced atomically) instead of printing it' },
    ...passphraseFlag,
    ...targetFlags,
  },
  examples: [
    'export KUS_SIGNING_PASSPHRASE=...   # or --passphrase-file /run/secrets/kus-signing',
    'kus key generate --name kylin-2026 --email release@kylin.example --bits 4096 --out kylin-2026.asc',
  ],
  async run(ctx) {
    const bitsText = stringFlag(ctx.flags, 'bits')!;
    const bits = Number(bitsText);
    if (!(KEY_BITS as readonly number[]).includes(bits)) throw new KusError('KUS_ERR_USAGE', `--bits ${quote(bitsText)} must be ${KEY_BITS.join(' or ')}`);
    const name = stringFlag(ctx.flags, 'name')!;
    const out = stringFlag(ctx.flags, 'out');
    // Checked before the key is made (seconds of CPU for 4096 bits), and before it is stored without its file.
    if (out !== undefined && !existsSync(path.dirname(path.resolve(out)))) {
      throw new KusError('KUS_ERR_IO', `--out ${quote(out)}: the directory ${quote(path.dirname(path.resolve(out)))} does not exist`, { file: out });
    }
    await withSigningTarget(ctx, { create: true }, async (target) => {
      const outcome = await withProgress(ctx, `generating a ${bits}-bit RSA key`, () => target.generateKey({ name, email: stringFlag(ctx.flags, 'email')!, bits }));
      const key = outcome.value;
      if (out !== undefined) {
        try {
          writeFileAtomic(out, key.publicKey.endsWith('\n') ? key.publicKey : `${key.publicKey}\n`);
        } catch (err) {
          throw new KusError('KUS_ERR_IO', `generated key ${key.name}, but cannot write --out ${quote(out)}: ${(err as Error).message}; ` +
            `"kus key export ${key.name}" prints the public key`, { file: out }, { cause: err });
        }
      }
      const file = out === undefined ? null : path.resolve(out);
      emit(ctx, { ...outcome, value: { ...key, publicKeyFile: file } }, (k) =>
        `generated key ${k.name} in ${target.where}\n${describeKey(k)}` +
          (file ? `  public key written to ${file}\n` : `${k.publicKey.endsWith('\n') ? k.publicKey : `${k.publicKey}\n`}`));
    });
  },
};
