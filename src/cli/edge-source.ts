// The `--from REGEX | --from-version V` pair shared by `kus edge block` and `kus edge risk`.
import { KusError } from '../errors/index.js';
import { stringFlag, type FlagSpec, type FlagValues } from './command.js';
import type { EdgeSelector } from '../services/publisher.js';

export const edgeSourceFlags: Record<string, FlagSpec> = {
  to: { type: 'string', valueName: 'V', required: true, description: 'the target version of the edges' },
  from: {
    type: 'string',
    valueName: 'REGEX',
    description: 'regex searched in the source version with its +arch, e.g. ^4[.]9[.](0|1)[+].*$',
  },
  'from-version': { type: 'string', valueName: 'V', description: 'one exact source version (every architecture)' },
};

export const EDGE_SOURCE_NOTE = [
  'The source is given either as --from REGEX, searched (not anchored) in the internal version of each release',
  'with its +arch suffix as upstream graph-data does, so anchor it and absorb the arch: ^4[.]9[.]0[+].*$; or as',
  '--from-version V, which KUS turns into that regex for you.',
].join('\n');

export function edgeSelector(flags: FlagValues, path: string): EdgeSelector {
  const to = stringFlag(flags, 'to')!;
  const from = stringFlag(flags, 'from');
  const fromVersion = stringFlag(flags, 'from-version');
  if ((from === undefined) === (fromVersion === undefined)) {
    throw new KusError('KUS_ERR_USAGE', `give exactly one of --from REGEX and --from-version V (see "kus ${path} --help")`);
  }
  return from !== undefined ? { to, from } : { to, fromVersion: fromVersion! };
}
