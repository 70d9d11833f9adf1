// Shared by `kus graph build` and `kus graph query`: the graph built from --raw / --graph-data, warnings on stderr.
import type { Graph } from '../graph/index.js';
import { buildOfflineGraph } from '../services/offline-graph.js';
import { stringFlag, type CommandContext } from './command.js';

export function buildFromFileFlags(ctx: CommandContext): Graph {
  const rawFile = stringFlag(ctx.flags, 'raw');
  const graphDataDir = stringFlag(ctx.flags, 'graph-data');
  const { graph, warnings } = buildOfflineGraph({
    ...(rawFile ? { rawFile } : {}),
    ...(graphDataDir ? { graphDataDir } : {}),
    nodeRemove: ctx.flags['node-remove'] === true,
  });
  for (const w of warnings) ctx.stderr.write(`warning: ${w.message}\n`);
  return graph;
}
