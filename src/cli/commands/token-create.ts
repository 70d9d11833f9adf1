// `kus token create`: make an admin bearer token; it is printed once, only its hash is stored.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';

export const command: Command = {
  path: ['token', 'create'],
  summary: 'create an admin API token (printed once)',
  description: [
    'Creates the admin token NAME and prints it. Only its SHA-256 is stored, so it cannot be shown again: keep it',
    '(a secret store, or KUS_TOKEN for the CLI). The name is what the audit log records for every change made',
    'with the token. An existing name is refused with KUS_ERR_CONFLICT; revoke it first to replace it.',
    '',
    'The first token is made locally, on the host that holds the store: "kus token create --db FILE --name NAME"',
    '(a running "kus serve" on that file accepts it at once; tokens are read on every request). With --server',
    'URL --token TOKEN, an existing token creates further ones through the admin API.',
    '',
    'With --json, prints exactly {"name": NAME, "token": TOKEN}.',
  ].join('\n'),
  flags: {
    name: { type: 'string', valueName: 'NAME', required: true, description: 'who or what uses the token, e.g. ci-release or alice' },
    ...targetFlags,
  },
  examples: [
    'kus token create --db /var/lib/kus/kus.db --name alice',
    'export KUS_TOKEN=$(kus token create --name ci-release --json | jq -r .token)',
    'kus token create --server https://kus.example --token "$KUS_TOKEN" --name ci-nightly',
  ],
  async run(ctx) {
    const name = stringFlag(ctx.flags, 'name')!;
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.createToken(name);
      const { token } = outcome.value;
      // Exactly these two keys, whatever else a server might send along.
      emit(ctx, { ...outcome, value: { name: outcome.value.name, token } }, (v) =>
        `created token ${v.name} in ${target.where}; it is shown only this once:\n${v.token}\n`,
      );
    });
  },
};
