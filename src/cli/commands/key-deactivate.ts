// `kus key deactivate`: stop signing with a key and shipping it (it stays trusted for its signatures).
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { withSigningTarget } from '../signing-target.js';
import { describeKey } from '../signing-output.js';

export const command: Command = {
  path: ['key', 'deactivate'],
  summary: 'make a signing key inactive (rotation)',
  description: [
    'Active keys sign every release "kus release sign" signs and each gets a verifier-public-key-NAME entry in',
    '"kus verifier-configmap" (a cluster then requires a signature by every one of them). Rotation: generate the new',
    'key, sign with both, ship a payload whose verifier trusts both, then deactivate the old key.',
  ].join('\n'),
  positionals: [{ name: 'NAME', required: true, description: 'the key name (kus key list)' }],
  flags: { ...targetFlags },
  examples: ['kus key deactivate kylin-2025'],
  async run(ctx) {
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.setKeyActive(ctx.positionals[0]!, false), (k) => `key ${k.name} is ${k.active ? 'active' : 'inactive'}\n${describeKey(k)}`);
    });
  },
};
