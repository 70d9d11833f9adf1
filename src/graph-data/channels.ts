// `channels/*.yaml` (graph-semantics §6.5): `name` and `versions` are used; other keys (feeder, tombstones...) are kept.
import { quote } from '../errors/index.js';
import { channelDoc, channelNameProblem, parseSemver, type ChannelDoc } from '../graph/index.js';
import type { ProblemList } from './problem.js';
import { describeType, type YamlMapping } from './yaml-file.js';

export const CHANNELS_DIR = 'channels';

/** Returns the channel, or null when upstream would skip the file (reported with `refuse`). */
export function parseChannel(fileName: string, doc: YamlMapping, problems: ProblemList): ChannelDoc | null {
  const file = `${CHANNELS_DIR}/${fileName}`;
  const { name, versions, ...extra } = doc;
  if (typeof name !== 'string') {
    problems.refuse(file, name === undefined ? 'has no name' : `name must be a string (found ${describeType(name)} ${quote(name)})`);
    return null;
  }
  if (!Array.isArray(versions)) {
    problems.refuse(file, versions === undefined ? 'has no versions list' : `versions must be a sequence (found ${describeType(versions)})`);
    return null;
  }
  const bad = versions.filter((v) => typeof v !== 'string' || !parseSemver(v));
  if (bad.length > 0) {
    // Upstream skips the whole file without a word; KUS says which entries are at fault.
    problems.refuse(file, `versions ${bad.map((v) => quote(v)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not SemVer, so upstream skips the whole channel`);
    return null;
  }
  const nameProblem = channelNameProblem(name);
  if (nameProblem) problems.refuse(file, nameProblem);
  // Upstream names the channel from `name` alone; a file that says otherwise is a copy-and-forget-to-edit mistake.
  const stem = fileName.slice(0, fileName.lastIndexOf('.'));
  if (stem !== name) {
    problems.refuse(file, `name ${quote(name)} differs from the file name ${quote(fileName)}; clusters would see channel ${quote(name)} (rename the file to ${quote(`${name}.yaml`)} or correct the name)`);
  }
  return channelDoc(fileName, name, versions as string[], Object.keys(extra).length > 0 ? extra : undefined);
}
