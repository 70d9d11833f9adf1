// `kus path`: the shortest update paths from one version to another in a channel, or why there is none.
import { KusError } from '../../errors/index.js';
import type { PathAnswer, PathHop } from '../../graph/index.js';
import { stringFlag, writeJson, type Command } from '../command.js';
import { explorerFlags, openExplorerSource } from '../explorer-source.js';

const hop = (h: PathHop): string => (h.risks.length > 0 ? `  ${h.from} → ${h.to}   conditional: ${h.risks.join(', ')}` : `  ${h.from} → ${h.to}`);

function describe(a: PathAnswer): string {
  const lines = [`${a.from} → ${a.to} in ${a.channel} (${a.arch})`];
  const list = (title: string, paths: PathHop[][]): void => {
    lines.push('', `${title}:`);
    if (paths.length === 0) lines.push('  none');
    paths.forEach((p, i) => {
      if (i > 0) lines.push('  or');
      lines.push(...p.map(hop));
    });
  };
  list('recommended only', a.recommended);
  if (a.recommended.length === 0 || a.withConditional[0]!.length < a.recommended[0]!.length) list('with conditional updates', a.withConditional);
  if (a.problems.length > 0) lines.push('', 'why not:', ...a.problems.map((p) => `  ${p.message}`));
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  path: ['path'],
  summary: 'find the shortest update paths from one version to another, or say why there is none',
  description: [
    'Computes, on the graph KUS serves for --channel and --arch, the shortest paths in hops from --from to --to:',
    'over recommended edges only, and allowing conditional updates (each such hop names its risks). When there is',
    'no recommended path it says why: a version is not in the channel (a cluster on --from reports VersionNotFound),',
    'the channel has no release of --arch, an update on the way is blocked (naming the blocked-edges/ file), or the',
    'only way takes a conditional update. The same answer is GET /api/kus/v1/path on the server and the console\'s',
    'path finder. Exits 0 when a recommended path exists, 1 otherwise. --json prints the answer object.',
  ].join('\n'),
  flags: {
    from: { type: 'string', valueName: 'A', required: true, description: 'the version the cluster runs' },
    to: { type: 'string', valueName: 'B', required: true, description: 'the version it should reach' },
    channel: { type: 'string', valueName: 'C', required: true, description: 'the channel the cluster polls, e.g. stable-4.9' },
    arch: { type: 'string', valueName: 'X', description: 'architecture (default amd64)' },
    ...explorerFlags,
  },
  examples: [
    'kus path --from 4.9.15 --to 4.9.21-kylinsec.1 --channel stable-4.9 --arch arm64',
    'kus path --from 4.9.0-rc.6 --to 4.9.15 --channel candidate-4.9 --arch arm64 --server http://kus.example:8080 --json',
  ],
  async run(ctx) {
    const from = stringFlag(ctx.flags, 'from');
    const to = stringFlag(ctx.flags, 'to');
    const channel = stringFlag(ctx.flags, 'channel');
    if (!from || !to || !channel) throw new KusError('KUS_ERR_USAGE', 'give --from, --to and --channel (see "kus path --help")');
    const source = openExplorerSource(ctx.flags);
    try {
      const answer = await source.path({ from, to, channel, arch: stringFlag(ctx.flags, 'arch') ?? 'amd64' });
      if (ctx.json) writeJson(ctx.stdout, answer);
      else ctx.stdout.write(describe(answer));
      return answer.recommended.length > 0 ? 0 : 1;
    } finally {
      source.close();
    }
  },
};
