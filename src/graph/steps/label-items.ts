// Reading the comma lists of the previous/next add/remove labels, with the carrying node's architecture applied.
import { KusError, quote } from '../../errors/index.js';
import type { GraphNode } from '../graph.js';
import { KEY } from '../keys.js';
import { formatSemver, parseSemver, withBuild } from '../semver.js';

/**
 * Items are trimmed; on a node with an architecture each item must be SemVer and gets that architecture as build
 * metadata (`4.1.0-rc.4` on `4.1.0+amd64` means `4.1.0-rc.4+amd64`). Upstream aborts the rebuild on a bad item.
 */
export function labelTargets(node: GraphNode, key: string): string[] {
  const value = node.metadata.get(key);
  if (value === undefined) return [];
  const items = value.split(',').map((s) => s.trim());
  const arch = node.metadata.get(KEY.arch);
  if (arch === undefined) return items;
  return items.map((item) => {
    const v = parseSemver(item);
    if (!v) {
      throw new KusError('KUS_ERR_INVALID_METADATA',
        `release ${quote(node.version)} has ${key} = ${quote(value)}, whose item ${quote(item)} is not a SemVer version`,
        { release: node.version, key, value: item });
    }
    return formatSemver(withBuild(v, [arch]));
  });
}
