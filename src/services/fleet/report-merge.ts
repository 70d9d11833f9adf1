// Two records of one cluster's polls merged into one: the replica's report buffer merges per cluster with it, so that
// an outage of the primary costs one entry per cluster, not one per batch. The buffer only ever merges records that
// follow each other (a new batch into what is held, or a failed request's entries back into what arrived meanwhile),
// in either order; the result is then what the store would hold had it been given both. (A record merged across a
// gap that a third fills later would date the change it infers at the later record's start: not done here.)
import type { FleetPollBatchEntry } from '../../store/index.js';

/** Version changes one merged entry keeps (the latest ones): a cluster flapping for hours cannot grow an entry. */
export const MAX_REPORT_CHANGES = 16;

type Change = FleetPollBatchEntry['changes'][number];

export function mergeFleetEntries(a: FleetPollBatchEntry, b: FleetPollBatchEntry): FleetPollBatchEntry {
  const [older, newer] = a.lastSeen <= b.lastSeen ? [a, b] : [b, a];
  const earlier = a.firstSeen <= b.firstSeen ? a : b;
  const changes: Change[] = [...older.changes, ...newer.changes];
  // The change between the two records, as the store would have found it had they been written one after the other.
  if (older.version !== null && newer.firstVersion !== null && older.version !== newer.firstVersion && newer.firstSeen >= older.lastSeen) {
    changes.push({ from: older.version, to: newer.firstVersion, at: newer.firstSeen });
  }
  changes.sort((x, y) => x.at - y.at);
  const unique = changes.filter((c, i) => i === 0 || c.at !== changes[i - 1]!.at || c.from !== changes[i - 1]!.from || c.to !== changes[i - 1]!.to);
  return {
    id: newer.id,
    firstSeen: earlier.firstSeen,
    lastSeen: newer.lastSeen,
    firstVersion: earlier.firstVersion,
    version: newer.version,
    channel: newer.channel,
    arch: newer.arch,
    userAgent: newer.userAgent,
    changes: unique.length > MAX_REPORT_CHANGES ? unique.slice(unique.length - MAX_REPORT_CHANGES) : unique,
  };
}
