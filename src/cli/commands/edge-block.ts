// `kus edge block`: stop offering updates from some versions to one version (a blocked-edges file without a risk).
import { targetFlags, type Command } from '../command.js';
import { EDGE_SOURCE_NOTE, edgeSelector, edgeSourceFlags } from '../edge-source.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['edge', 'block'],
  summary: 'block the updates from some versions to one version',
  description: [
    'Removes every edge from a matching version to --to from the graph, for every channel and architecture (a',
    'blocked-edges file with only "to" and "from"). Use it when an update path is broken; to let clusters decide',
    'from their own state, declare a risk with "kus edge risk" instead. An invalid regex or version is refused.',
    '',
    EDGE_SOURCE_NOTE,
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  flags: { ...edgeSourceFlags, ...targetFlags },
  examples: [
    'kus edge block --to 4.9.15-kylinsec.1 --from-version 4.9.0-rc.6',
    "kus edge block --to 4.9.21-kylinsec.1 --from '^4[.]9[.]15(-kylinsec[.][0-9]+)?[+].*$'",
  ],
  async run(ctx) {
    const edge = edgeSelector(ctx.flags, 'edge block');
    await withTarget(ctx, { create: true }, async (target) => {
      emit(ctx, await target.blockEdge(edge), (doc) => `blocked ${doc.from} -> ${doc.to} (${doc.file}) in ${target.where}\n`);
    });
  },
};
