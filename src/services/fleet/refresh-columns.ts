// Clusters that only polled again since their last write (same version, channel, arch and User-Agent): most of what a
// flush writes once clusters are held (at 100,000 clusters polling every few seconds, up to ~1,700 a second). Handed to
// the writer as columns of typed arrays and a small table of the strings they share, not as one object, one formatted
// id and one JSON row per cluster, made on the serving thread and kept until the write was committed (long enough for
// the young-generation collector to promote them). Measured: 2.2–3.3 µs of the serving thread per refresh that way,
// 0.24–0.43 µs as columns (docs/fleet.md). The writer's thread formats the ids instead.
import type { FleetPollBatchEntry, FleetRefreshRow } from '../../store/index.js';
import { formatClusterId } from './held-clusters.js';

/** Per cluster: its id as four words, its first and last poll since its last write, and its four strings. */
export interface FleetRefreshColumns {
  readonly count: number;
  readonly ids: Int32Array;
  /** firstSeen, lastSeen. */
  readonly times: Float64Array;
  /** version, channel, arch, userAgent: indexes into `strings`, -1 for none. */
  readonly refs: Int32Array;
  readonly strings: readonly string[];
}

const NO_CHANGES: FleetPollBatchEntry['changes'] = Object.freeze([]);

export class RefreshColumnsBuilder {
  private readonly ids: Int32Array;
  private readonly times: Float64Array;
  private readonly refs: Int32Array;
  private readonly strings: string[] = [];
  /** Keyed by the aggregator's interned strings: a handful of distinct values, whatever the number of clusters. */
  private readonly index = new Map<string, number>();
  private count = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity * 4);
    this.times = new Float64Array(capacity * 2);
    this.refs = new Int32Array(capacity * 4);
  }

  add(ids: Int32Array, idAt: number, firstSeen: number, lastSeen: number, version: string | null, channel: string, arch: string, userAgent: string | null): void {
    const i = this.count++;
    this.ids.set(ids.subarray(idAt, idAt + 4), i * 4);
    this.times[i * 2] = firstSeen;
    this.times[i * 2 + 1] = lastSeen;
    this.refs[i * 4] = this.ref(version);
    this.refs[i * 4 + 1] = this.ref(channel);
    this.refs[i * 4 + 2] = this.ref(arch);
    this.refs[i * 4 + 3] = this.ref(userAgent);
  }

  build(): FleetRefreshColumns {
    return { count: this.count, ids: this.ids, times: this.times, refs: this.refs, strings: this.strings };
  }

  private ref(value: string | null): number {
    if (value === null) return -1;
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.strings.push(value) - 1;
      this.index.set(value, at);
    }
    return at;
  }
}

/** The columns as store rows (the writer's thread formats the ids). */
export function* refreshRows(columns: FleetRefreshColumns): Generator<FleetRefreshRow> {
  const { ids, times, refs, strings } = columns;
  const text = (at: number): string | null => (refs[at]! < 0 ? null : strings[refs[at]!]!);
  for (let i = 0; i < columns.count; i++) {
    yield [formatClusterId(ids, i * 4), times[i * 2]!, times[i * 2 + 1]!, text(i * 4), text(i * 4 + 1)!, text(i * 4 + 2)!, text(i * 4 + 3)];
  }
}

/** The columns as batch entries: what a replica forwards to its primary, and what a failed write puts back. */
export function refreshEntries(columns: FleetRefreshColumns): FleetPollBatchEntry[] {
  const entries: FleetPollBatchEntry[] = [];
  for (const [id, firstSeen, lastSeen, version, channel, arch, userAgent] of refreshRows(columns)) {
    entries.push({ id, firstSeen, lastSeen, version, firstVersion: version, channel, arch, userAgent, changes: NO_CHANGES });
  }
  return entries;
}
