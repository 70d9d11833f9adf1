// `kus edge remove`: delete one blocked or conditional edge declaration by its file name.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['edge', 'remove'],
  summary: 'remove a blocked or conditional edge by its file name',
  description: [
    'Deletes the blocked-edges declaration FILE (as "kus edge list" shows it); the edges it removed or made',
    'conditional are served as plain edges again. KUS_ERR_NOT_FOUND when there is no such file.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [{ name: 'FILE', required: true, description: 'file name from "kus edge list", e.g. 4.9.15-kylinsec.1.yaml' }],
  flags: { ...targetFlags },
  examples: ['kus edge remove 4.9.15-kylinsec.1.yaml'],
  async run(ctx) {
    const file = ctx.positionals[0]!;
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.removeEdge(file), () => `removed ${file} from ${target.where}\n`);
    });
  },
};
