// Which target the flags name: a local store, or a server with its token; and where each value came from.
import { KusError, quote } from '../errors/index.js';
import { stringFlag, type CommandContext } from './command.js';
import type { AdminClientOptions } from './admin-client.js';

export type TargetChoice = { kind: 'local'; db: string | undefined } | { kind: 'server'; options: AdminClientOptions };

/**
 * The flag parser already let an explicit --db or --server win over the other's environment variable (run.ts), so
 * both present means both were typed. An error caused by an environment variable names it: a reader who never
 * typed --server must learn that KUS_SERVER chose the server.
 */
export function chooseTarget(ctx: Pick<CommandContext, 'flags' | 'fromEnv'>): TargetChoice {
  const server = stringFlag(ctx.flags, 'server');
  const db = stringFlag(ctx.flags, 'db');
  if (server === undefined) return { kind: 'local', db };
  const serverFrom = ctx.fromEnv.server ?? '--server';
  if (db !== undefined) {
    throw new KusError('KUS_ERR_USAGE', `--db ${quote(db)} and ${serverFrom} ${quote(server)} both given: act either on a local store or on a server`);
  }
  const token = stringFlag(ctx.flags, 'token');
  if (token === undefined) {
    const fromEnv = ctx.fromEnv.server !== undefined;
    throw new KusError(
      'KUS_ERR_UNAUTHORIZED',
      `${serverFrom} ${quote(server)}${fromEnv ? ' (from the environment)' : ''} needs an admin token: pass --token TOKEN or set ` +
        `KUS_TOKEN (it is unset or empty); make the first one on the server's host with "kus token create --db FILE --name NAME"` +
        (fromEnv ? `, or pass --db FILE to act on a local store instead of ${serverFrom}` : ''),
      { setting: serverFrom },
    );
  }
  return { kind: 'server', options: { server, token, serverFrom, tokenFrom: ctx.fromEnv.token ?? '--token' } };
}
