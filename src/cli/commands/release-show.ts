// `kus release show`: everything stored about one version (every architecture, or one).
import type { Release } from '../../graph/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, releaseName, withTarget } from '../output.js';

function describe(r: Release): string {
  const lines = [
    releaseName(r),
    `  payload:  ${r.payload}`,
    `  digest:   ${r.digest ?? '-'}`,
    `  previous: ${r.previous.length > 0 ? r.previous.join(', ') : '-'}`,
    `  next:     ${r.next.length > 0 ? r.next.join(', ') : '-'}`,
  ];
  const keys = Object.keys(r.metadata).sort();
  if (keys.length > 0) {
    lines.push('  metadata:');
    for (const k of keys) lines.push(`    ${k}: ${r.metadata[k]}`);
  }
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  path: ['release', 'show'],
  summary: 'show one release: payload, digest, edges and metadata',
  description: 'Shows the stored release of VERSION for every architecture, or for --arch only.\n' +
    'KUS_ERR_NOT_FOUND when there is none. With --json, prints the list of releases.',
  positionals: [{ name: 'VERSION', required: true, description: 'SemVer of the release, without the architecture' }],
  flags: {
    arch: { type: 'string', valueName: 'ARCH', description: 'only this architecture' },
    ...targetFlags,
  },
  examples: ['kus release show 4.9.15', 'kus release show 4.9.15 --arch arm64 --json'],
  async run(ctx) {
    const version = ctx.positionals[0]!;
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.showRelease(version, stringFlag(ctx.flags, 'arch')), (releases) => releases.map(describe).join('\n'));
    });
  },
};
