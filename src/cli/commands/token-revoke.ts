// `kus token revoke`: delete an admin token so that it is refused from now on.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';

export const command: Command = {
  path: ['token', 'revoke'],
  summary: 'revoke an admin API token',
  description: 'Deletes the token NAME; requests that present it get 401 KUS_ERR_UNAUTHORIZED from then on (a running\n' +
    'server checks tokens against the store on every request). KUS_ERR_NOT_FOUND when there is no such token.',
  positionals: [{ name: 'NAME', required: true, description: 'name of the token, as "kus token list" shows it' }],
  flags: { ...targetFlags },
  examples: ['kus token revoke alice', 'kus token revoke ci-nightly --server https://kus.example --token "$KUS_TOKEN"'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.revokeToken(name), () => `revoked token ${name} in ${target.where}\n`);
    });
  },
};
