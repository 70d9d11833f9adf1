// `kus token create`: make an admin bearer token of a scope; it is printed once, only its hash is stored.
import { KusError } from '../../errors/index.js';
import { requireTokenScope } from '../../services/tokens.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';

export const command: Command = {
  path: ['token', 'create'],
  summary: 'create an admin API token of a scope (printed once)',
  description: [
    'Creates the admin token NAME and prints it. Only its SHA-256 is stored, so it cannot be shown again: keep it',
    '(a secret store, or KUS_TOKEN for the CLI). The name is what the audit log records for every change made',
    'with the token. An existing name is refused with KUS_ERR_CONFLICT; revoke it first to replace it.',
    '',
    'The scope says what the token may do (anything else is refused with 403 KUS_ERR_FORBIDDEN):',
    '  admin         every admin route (the default; tokens made before scopes existed are admin)',
    '  viewer        every admin read (GET): the console read-only, kus fleet ..., release/channel/edge/key lists',
    '  fleet-report  only POST /api/admin/v1/fleet/reports: give it to replicas (kus serve --follow URL',
    '                --fleet-report-token TOKEN) so that they report the clusters polling them',
    '',
    'The first token is made locally, on the host that holds the store: "kus token create NAME --db FILE"',
    '(a running "kus serve" on that file accepts it at once; tokens are read on every request). With --server',
    'URL --token TOKEN, an admin token creates further ones through the admin API.',
    '',
    'With --json, prints exactly {"name": NAME, "scope": SCOPE, "token": TOKEN}.',
  ].join('\n'),
  positionals: [{ name: 'NAME', required: false, description: 'who or what uses the token, e.g. ci-release or alice (or --name NAME)' }],
  flags: {
    name: { type: 'string', valueName: 'NAME', description: 'the token\'s name, as the NAME argument' },
    scope: { type: 'string', valueName: 'SCOPE', description: 'admin (default), viewer or fleet-report' },
    ...targetFlags,
  },
  examples: [
    'kus token create alice --db /var/lib/kus/kus.db',
    'export KUS_TOKEN=$(kus token create ci-release --json | jq -r .token)',
    'kus token create dashboard --scope viewer --server https://kus.example --token "$KUS_TOKEN"',
    'kus token create replica-east --scope fleet-report --server https://kus.example --token "$KUS_TOKEN" --json',
  ],
  async run(ctx) {
    const flag = stringFlag(ctx.flags, 'name');
    const positional = ctx.positionals[0];
    if (flag !== undefined && positional !== undefined && flag !== positional) {
      throw new KusError('KUS_ERR_USAGE', `two names given (${JSON.stringify(positional)} and --name ${JSON.stringify(flag)}); give one (see "kus token create --help")`);
    }
    const name = positional ?? flag;
    if (name === undefined) throw new KusError('KUS_ERR_USAGE', 'missing NAME: kus token create NAME [--scope admin|viewer|fleet-report] (see "kus token create --help")');
    const scopeFlag = stringFlag(ctx.flags, 'scope');
    const scope = scopeFlag === undefined ? undefined : requireTokenScope(scopeFlag);
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.createToken(name, scope);
      const { token } = outcome.value;
      // Exactly these keys, whatever else a server might send along.
      emit(ctx, { ...outcome, value: { name: outcome.value.name, scope: outcome.value.scope, token } }, (v) =>
        `created ${v.scope} token ${v.name} in ${target.where}; it is shown only this once:\n${v.token}\n`,
      );
    });
  },
};
