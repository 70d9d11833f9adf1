// `kus key activate` / `kus key deactivate`: the two commands differ only in the state they set.
import { targetFlags, type Command } from './command.js';
import { emit } from './output.js';
import { withSigningTarget } from './signing-target.js';
import { describeKey } from './signing-output.js';

const ROTATION = [
  'Active keys sign every release "kus release sign" signs and each gets a verifier-public-key-NAME entry in',
  '"kus verifier-configmap" (a cluster then requires a signature by every one of them). Rotation: generate the new',
  'key, sign with both, ship a payload whose verifier trusts both, then deactivate the old key.',
].join('\n');

export function keyActivationCommand(active: boolean): Command {
  const verb = active ? 'activate' : 'deactivate';
  return {
    path: ['key', verb],
    summary: active ? 'make a signing key active' : 'make a signing key inactive (rotation)',
    description: ROTATION,
    positionals: [{ name: 'NAME', required: true, description: 'the key name (kus key list)' }],
    flags: { ...targetFlags },
    examples: [`kus key ${verb} kylin-2025`],
    async run(ctx) {
      await withSigningTarget(ctx, { create: false }, async (target) => {
        emit(ctx, await target.setKeyActive(ctx.positionals[0]!, active), (k) => `key ${k.name} is ${k.active ? 'active' : 'inactive'}\n${describeKey(k)}`);
      });
    },
  };
}
