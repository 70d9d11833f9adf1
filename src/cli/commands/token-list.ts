// `kus token list`: the admin tokens by name and scope, with when they were made and last used (never the tokens themselves).
import { targetFlags, type Command } from '../command.js';
import { emit, formatTable, withTarget } from '../output.js';

export const command: Command = {
  path: ['token', 'list'],
  summary: 'list the active admin API tokens',
  description: 'Lists the admin tokens by name with their scope (admin, viewer, fleet-report) and creation and last-use times. The tokens themselves are not\n' +
    'stored, only their hashes, so they cannot be listed; revoked tokens are not listed. With --json, prints\n' +
    '[{"name", "scope", "createdAt", "lastUsedAt"}].',
  flags: { ...targetFlags },
  examples: ['kus token list', 'kus token list --server https://kus.example --json'],
  async run(ctx) {
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.listTokens(), (tokens) =>
        tokens.length === 0
          ? 'no tokens (create one with "kus token create --name NAME")\n'
          : formatTable(['NAME', 'SCOPE', 'CREATED', 'LAST USED'], tokens.map((t) => [t.name, t.scope, t.createdAt, t.lastUsedAt ?? 'never'])),
      );
    });
  },
};
