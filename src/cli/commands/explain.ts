// `kus explain`: exactly what a cluster running a version in a channel would list, or the condition it would set.
import { KusError } from '../../errors/index.js';
import type { ExplainAnswer } from '../../services/graph-explorer.js';
import { stringFlag, writeJson, type Command } from '../command.js';
import { explorerFlags, openExplorerSource } from '../explorer-source.js';

export function describeExplain(a: ExplainAnswer): string {
  const c = a.retrievedUpdates;
  const lines = [`RetrievedUpdates=${c.status} ${c.reason}${c.message ? `: ${c.message}` : ''}`];
  if (a.query) lines.push(`the cluster asks: /graph?${a.query}`);
  if (c.status === 'True') {
    lines.push('', `recommended updates (${a.updates.length}):`, ...a.updates.map((u) => `  ${u.version}`));
    lines.push('', `conditional updates (${a.conditionalUpdates.length}):`);
    for (const u of a.conditionalUpdates) lines.push(`  ${u.version}   risks: ${u.risks.map((r) => r.name).join(', ')}`);
  }
  for (const w of a.warnings) lines.push(`warning: ${w}`);
  for (const h of a.hints) lines.push(`hint: ${h}`);
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  path: ['explain'],
  summary: 'show what a cluster on a version and channel would see: updates, conditional updates, or its condition',
  description: [
    'Reads the graph body KUS serves for --channel and --arch (the same bytes a cluster gets) the way the',
    'cluster-version operator does: its local checks (a cluster id that is not a UUID, an empty channel, a version that',
    'is not strict SemVer), the HTTP answer, the current node (VersionNotFound when the channel does not list --version),',
    'the recommended updates and the conditional updates with their risks (after the operator\'s own pruning).',
    'Prints the RetrievedUpdates condition it would set and what to do about a problem. Exits 0 when the cluster',
    'retrieves updates, 1 when it sets RetrievedUpdates=False. --json prints the answer object.',
  ].join('\n'),
  flags: {
    version: { type: 'string', valueName: 'V', required: true, description: 'the version the cluster runs' },
    channel: { type: 'string', valueName: 'C', required: true, description: 'spec.channel of the cluster' },
    arch: { type: 'string', valueName: 'X', description: 'architecture (default amd64)' },
    id: { type: 'string', valueName: 'UUID', description: 'the cluster id (spec.clusterID)' },
    ...explorerFlags,
  },
  examples: ['kus explain --version 4.9.15 --channel stable-4.9 --arch arm64', 'kus explain --version 4.9.0-rc.6 --channel stable-4.9 --server http://kus.example:8080'],
  async run(ctx) {
    const version = stringFlag(ctx.flags, 'version');
    const channel = stringFlag(ctx.flags, 'channel');
    if (version === undefined || channel === undefined) throw new KusError('KUS_ERR_USAGE', 'give --version and --channel (see "kus explain --help")');
    const id = stringFlag(ctx.flags, 'id');
    const source = openExplorerSource(ctx.flags);
    try {
      const answer = await source.explain({ version, channel, arch: stringFlag(ctx.flags, 'arch') ?? 'amd64', ...(id !== undefined ? { id } : {}) });
      if (ctx.json) writeJson(ctx.stdout, answer);
      else ctx.stdout.write(describeExplain(answer));
      return answer.retrievedUpdates.status === 'True' ? 0 : 1;
    } finally {
      source.close();
    }
  },
};
