// `kus edge list`: the blocked edges and the conditional edges (risks), as stored.
import { targetFlags, type Command } from '../command.js';
import { emit, formatTable, withTarget } from '../output.js';
import type { EdgeList } from '../../services/publisher.js';

function human(edges: EdgeList): string {
  const parts: string[] = [];
  parts.push(
    edges.blocked.length === 0
      ? 'no blocked edges\n'
      : `Blocked edges:\n${formatTable(['FILE', 'TO', 'FROM'], edges.blocked.map((e) => [e.file, e.to, e.from]))}`,
  );
  parts.push(
    edges.conditional.length === 0
      ? 'no conditional edges\n'
      : `Conditional edges:\n${formatTable(
          ['FILE', 'TO', 'FROM', 'RISK', 'RULES'],
          edges.conditional.map((e) => [e.file, e.to, e.from, e.risk.name, e.risk.matchingRules.map((r) => r.type).join(',')]),
        )}`,
  );
  return parts.join('\n');
}

export const command: Command = {
  path: ['edge', 'list'],
  summary: 'list the blocked and conditional edges',
  description: 'Lists the blocked edges and the conditional edges with their risk name and rule types, each with the\n' +
    'file name that "kus edge remove" takes. With --json, prints {"blocked": [...], "conditional": [...]}.',
  flags: { ...targetFlags },
  examples: ['kus edge list', 'kus edge list --json'],
  async run(ctx) {
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.listEdges(), human);
    });
  },
};
