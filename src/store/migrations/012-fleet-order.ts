// Migration 012: batches of polls merged in any order (replicas resend and interleave). Embedded as a string so dist/
// needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- The first version the cluster reported and when (the first poll of the batch that had it): a batch older than
-- everything stored ends with a version that is compared with this one (the update into it is dated here). Filled from
-- the oldest recorded update.
ALTER TABLE fleet_clusters ADD COLUMN first_version TEXT;
ALTER TABLE fleet_clusters ADD COLUMN first_version_at INTEGER;
UPDATE fleet_clusters SET first_version = coalesce(
  (SELECT u.from_version FROM fleet_updates u WHERE u.cluster_id = fleet_clusters.id ORDER BY u.at, u.id LIMIT 1), version);
UPDATE fleet_clusters SET first_version_at = first_seen WHERE first_version IS NOT NULL;

-- Every batch rewrites last_seen of each cluster it holds; this index made that a second B-tree write per row (measured
-- 1.5-2 us of 9 us per row at 100,000 clusters) for queries that read most rows anyway (counts over the last day, the
-- hourly prune).
DROP INDEX fleet_clusters_last_seen;
`;
