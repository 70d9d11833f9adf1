// `kus audit`: the audit log, newest first: every write and every refused write, who made it, before and after.
import { KusError, quote } from '../../errors/index.js';
import { AUDIT_LIMIT } from '../../services/publisher.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, formatTable, withTarget } from '../output.js';

export const command: Command = {
  path: ['audit'],
  summary: 'show the audit log, newest first',
  description: [
    'Shows who changed what and when: the actor (an admin token name, or local:<os user> for the CLI on a local',
    'store), the action, its target, and for refused writes the error code. With --json, prints the entries with',
    'the full state before and after each change.',
  ].join('\n'),
  flags: {
    limit: { type: 'string', valueName: 'N', default: String(AUDIT_LIMIT.default), description: `show at most N entries (1 to ${AUDIT_LIMIT.max})` },
    ...targetFlags,
  },
  examples: ['kus audit', 'kus audit --limit 200 --json | jq \'.[] | select(.actor == "ci-release")\''],
  async run(ctx) {
    const text = stringFlag(ctx.flags, 'limit')!;
    const limit = Number(text);
    if (!/^[0-9]+$/.test(text) || limit < 1 || limit > AUDIT_LIMIT.max) {
      throw new KusError('KUS_ERR_USAGE', `--limit ${quote(text)} is not a whole number from 1 to ${AUDIT_LIMIT.max}`);
    }
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.audit(limit), (entries) =>
        entries.length === 0
          ? 'the audit log is empty\n'
          : formatTable(
              ['AT', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME'],
              entries.map((e) => [e.at, e.actor, e.action, e.target ?? '-', e.error ? `refused: ${e.error.code}` : e.outcome]),
            ),
      );
    });
  },
};
