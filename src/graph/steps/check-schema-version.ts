// Step B.1: the graph-data `version` file must name a schema this service understands (major 1).
import { KusError, quote } from '../../errors/index.js';
import { parseSemver } from '../semver.js';
import type { Step } from '../step.js';

/** Newest graph-data schema minor this implementation knows (1.2.0); newer minors are assumed compatible. */
const KNOWN_MINOR = 2;

export const checkSchemaVersion: Step = {
  name: 'check-schema-version',
  run(_graph, ctx) {
    const text = ctx.graphData.schemaVersion;
    const v = parseSemver(text);
    if (!v) throw new KusError('KUS_ERR_GRAPH_DATA_VERSION', `graph-data version ${quote(text)} is not a SemVer version`, { value: text });
    if (v.major !== '1') {
      throw new KusError('KUS_ERR_GRAPH_DATA_VERSION', `unrecognized graph-data version ${quote(text)}: this service reads schema 1.x`, { value: text });
    }
    if (Number(v.minor) > KNOWN_MINOR) ctx.warn(`graph-data version ${text} is newer than 1.${KNOWN_MINOR}.0; reading it as 1.${KNOWN_MINOR}.0`);
  },
};
