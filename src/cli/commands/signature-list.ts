// `kus signature list`: stored signatures, all or of one digest.
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { signatureTable } from '../signing-output.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['signature', 'list'],
  summary: 'list stored signatures (all, or of DIGEST)',
  description: 'One line per signature file: digest, signature-N, the key that made it, how it came (signed, uploaded,\nimported), size and time.',
  positionals: [{ name: 'DIGEST', description: 'sha256:<64 hex>; absent: every digest' }],
  flags: { ...targetFlags },
  examples: ['kus signature list', 'kus signature list sha256:3f1c…9a --json'],
  async run(ctx) {
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.listSignatures(ctx.positionals[0]), signatureTable);
    });
  },
};
