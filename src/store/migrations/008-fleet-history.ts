// Migration 008: what the fleet questions of issue 12 need beyond 004: how long clusters took from being offered an
// update to running it, and which clusters stopped polling after polling daily. (005–007 are other branches' numbers.)
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- UTC days on which the cluster polled (counted as batches arrive: a poll on a later day than the last one adds one).
ALTER TABLE fleet_clusters ADD COLUMN days_seen INTEGER NOT NULL DEFAULT 1;

-- When the cluster was first offered to_version while running from_version: the later of the time it started running
-- from_version and the time the served graph first had the edge (fleet_offers). NULL: never offered before it moved.
ALTER TABLE fleet_updates ADD COLUMN offered_at INTEGER;

-- The first time the served graph of (channel, arch) had the edge from_version -> to_version (Unix ms). One row per
-- edge ever served: bounded by the graph, not by the clients.
CREATE TABLE fleet_offers (
  channel      TEXT NOT NULL,
  arch         TEXT NOT NULL,
  from_version TEXT NOT NULL,
  to_version   TEXT NOT NULL,
  first_served INTEGER NOT NULL,
  PRIMARY KEY (channel, arch, from_version, to_version)
) STRICT, WITHOUT ROWID;
CREATE INDEX fleet_updates_cluster_to ON fleet_updates (cluster_id, to_version);
`;
