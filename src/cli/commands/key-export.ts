// `kus key export`: print a signing key's armored public key (for gpg --import, cvo-probe --keyring, a verifier ConfigMap).
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['key', 'export'],
  summary: 'print the armored public key of a signing key',
  description: 'Prints the ASCII-armored OpenPGP public key of NAME (never the private key). With --json, the key\'s\nfacts and publicKey.',
  positionals: [{ name: 'NAME', required: true, description: 'the key name (kus key list)' }],
  flags: { ...targetFlags },
  examples: ['kus key export kylin-2026 > kylin-2026.asc', 'kus key export kylin-2026 | gpg --import'],
  async run(ctx) {
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.getKey(ctx.positionals[0]!), (k) => (k.publicKey.endsWith('\n') ? k.publicKey : `${k.publicKey}\n`));
    });
  },
};
