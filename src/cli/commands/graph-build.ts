// `kus graph build`: the full, unfiltered graph built from files, as a graph-builder would serve it.
import { serializeFull } from '../../graph/index.js';
import type { Command } from '../command.js';
import { buildFromFileFlags } from '../offline-build.js';

export const command: Command = {
  path: ['graph', 'build'],
  summary: 'build the full graph from a raw graph and/or graph-data and print it',
  description: [
    'Runs the build steps of the update graph on files, with no store and no server, and prints the result as a',
    'Cincinnati graph-builder document: every channel and architecture, versions keeping their "+arch" build',
    'metadata, placeholder nodes as {"version": ...}, the architecture label present.',
    '',
    'With --graph-data the graph-data steps run (schema check, raw/metadata.json, blocked and conditional edges,',
    'channels) before the edge add/remove step; without it only the edge add/remove step runs. Graph-data is read',
    'as upstream reads it: unreadable files are skipped with a warning on stderr. Without --raw the releases come',
    'from the graph-data releases/ directory.',
  ].join('\n'),
  flags: {
    raw: { type: 'string', valueName: 'RAW.json', description: 'graph-builder JSON document: the releases and their edges (step A output)' },
    'graph-data': { type: 'string', valueName: 'DIR', description: 'graph-data directory (version, channels/, blocked-edges/, raw/metadata.json)' },
    'node-remove': { type: 'boolean', description: 'also drop releases labelled io.openshift.upgrades.graph.release.remove=true (upstream\'s optional node-remove step, off by default as upstream)' },
  },
  examples: [
    'kus graph build --raw graph-gb-raw.json --graph-data cincinnati-graph-data > full.json',
    'kus graph build --raw graph-gb-with-quay-metadata.json',
  ],
  async run(ctx) {
    ctx.stdout.write(`${serializeFull(buildFromFileFlags(ctx))}\n`);
  },
};
