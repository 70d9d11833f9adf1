// `kus key list`: the release signing keys, which are active, which KUS can sign with.
import { targetFlags, type Command } from '../command.js';
import { emit, formatTable } from '../output.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['key', 'list'],
  summary: 'list the release signing keys',
  description: [
    'Active keys sign every release "kus release sign" signs and go into "kus verifier-configmap". Every stored',
    'key (active or not) is trusted for "kus signature upload". SIGNS is "no" for a key imported public-only.',
  ].join('\n'),
  flags: { ...targetFlags },
  examples: ['kus key list', 'kus key list --json | jq -r ".[].fingerprint"'],
  async run(ctx) {
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.listKeys(), (keys) =>
        keys.length === 0
          ? 'no signing keys (kus key generate --name NAME --email EMAIL)\n'
          : formatTable(['NAME', 'FINGERPRINT', 'ALGORITHM', 'ACTIVE', 'SIGNS', 'EXPIRES', 'USER ID'],
            keys.map((k) => [k.name, k.fingerprint, k.algorithm, k.active ? 'yes' : 'no', k.canSign ? 'yes' : 'no', k.expiresAt ?? 'never', k.userIds[0] ?? ''])));
    });
  },
};
