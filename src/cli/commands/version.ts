// `kus version` (also `kus --version`): which build this is, for bug reports and for checking an upgrade took.
import { buildInfo } from '../../config/index.js';
import { writeJson, type Command } from '../command.js';

export const command: Command = {
  path: ['version'],
  summary: 'print the version of kus (and the commit it was built from)',
  description: 'The same version and commit a running server exports as kus_build_info on /metrics. "kus --version" prints the same.',
  flags: {},
  examples: ['kus version', 'kus --version', 'kus version --json'],
  run(ctx) {
    const build = buildInfo(ctx.env);
    if (ctx.json) writeJson(ctx.stdout, build);
    else ctx.stdout.write(`kus ${build.version} (commit ${build.commit})\n`);
    return Promise.resolve(0);
  },
};
