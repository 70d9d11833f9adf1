// Planning raw/metadata.json overrides: set or delete one key of one version's entry (every architecture of it).
import { KusError, quote } from '../../errors/index.js';
import { formatSemver, type Metadata } from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { releasesOfVersion } from './lookup.js';
import { unchanged, withGraphData, type Plan } from './plan.js';
import type { RawMetadataEntry } from './types.js';
import { checkMetadataEntry, requireVersion } from './validate.js';

export function planSetRawMetadata(current: GraphInput, input: RawMetadataEntry): Plan<RawMetadataEntry> {
  const version = formatSemver(requireVersion(input.version, 'version'));
  const { key, value } = input;
  const entries = current.graphData.rawMetadata;
  const index = entries.findIndex(([v]) => v === version);
  const metadata: Metadata = index < 0 ? {} : entries[index]![1];
  const had = Object.hasOwn(metadata, key) ? metadata[key]! : null;

  if (value === null) {
    if (had === null) {
      throw new KusError('KUS_ERR_NOT_FOUND', `raw metadata of ${version} has no key ${quote(key)}${index < 0 ? ` (${version} has no raw metadata)` : ` (it has ${Object.keys(metadata).join(', ')})`}`,
        { version, key });
    }
  } else {
    checkMetadataEntry(key, value, `raw metadata of ${version}`);
    if (had === value) return unchanged(current, { version, key, value });
  }

  const next: Metadata = { ...metadata };
  if (value === null) delete next[key];
  else next[key] = value;
  const after: Array<[string, Metadata]> = index < 0
    ? [...entries, [version, next]]
    : entries.map((e, i): [string, Metadata] => (i === index ? [version, next] : e)).filter(([, m]) => Object.keys(m).length > 0);
  const warnings = releasesOfVersion(current, version).length === 0 ? [`no release ${version} is stored yet; the metadata applies once one arrives`] : [];
  return {
    value: { version, key, value },
    warnings,
    changed: true,
    candidate: withGraphData(current, { rawMetadata: after }),
    write(store) {
      if (value === null) store.rawMetadata.delete(version, key);
      else store.rawMetadata.set(version, key, value);
    },
    before: { version, key, value: had },
    after: { version, key, value },
  };
}
