// `kus graph query`: what the graph API would serve for one channel and architecture, built from files.
import { GraphViews, validateGraphRequest } from '../../graph/index.js';
import { isUpstreamError } from '../../errors/index.js';
import { stringFlag, type Command } from '../command.js';
import { buildFromFileFlags } from '../offline-build.js';

export const command: Command = {
  path: ['graph', 'query'],
  summary: 'print the graph a cluster would receive for a channel and architecture',
  description: [
    'Builds the graph from files like "kus graph build", then applies the request filters of the graph API:',
    'only releases in --channel, only releases of --arch (default amd64), versions without "+arch", conditional',
    'edges with their risks. The output is byte-for-byte the body the server sends for',
    'GET /api/upgrades_info/v1/graph?channel=C&arch=A. An invalid channel or arch prints the API\'s error body',
    '({"kind": ..., "value": ...}) and exits 1.',
  ].join('\n'),
  flags: {
    raw: { type: 'string', valueName: 'RAW.json', description: 'graph-builder JSON document (omit to use the releases/ of --graph-data)' },
    'graph-data': { type: 'string', valueName: 'DIR', description: 'graph-data directory' },
    channel: { type: 'string', valueName: 'C', required: true, description: 'channel the cluster subscribes to, e.g. stable-4.9' },
    arch: { type: 'string', valueName: 'A', description: 'architecture: amd64 (default), arm64, s390x, ppc64le or multi' },
  },
  examples: [
    'kus graph query --graph-data graph-data --channel stable-4.9 --arch arm64',
    'kus graph query --raw graph-gb-raw.json --graph-data cincinnati-graph-data --channel stable-4.2',
  ],
  async run(ctx) {
    try {
      const request = validateGraphRequest(stringFlag(ctx.flags, 'channel') ?? '', stringFlag(ctx.flags, 'arch'));
      const graph = buildFromFileFlags(ctx);
      ctx.stdout.write(`${new GraphViews(graph).renderText(request.channel, request.arch)}\n`);
    } catch (err) {
      // The API answers these with its {kind, value} body; so does this command.
      if (!isUpstreamError(err)) throw err;
      ctx.stdout.write(`${JSON.stringify(err.toBody())}\n`);
      ctx.stderr.write(`${err.kind}: ${err.message}\n`);
      return 1;
    }
  },
};
