// Migration 004: the fleet inventory (issue 12): which clusters poll, what they run, and the updates they made.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- One row per cluster that sent a valid UUID id with its graph requests. Times are Unix milliseconds (compared and
-- aggregated in SQL; rendered as RFC 3339 by the service). version is NULL when the cluster sent none.
CREATE TABLE fleet_clusters (
  id          TEXT PRIMARY KEY CHECK (length(id) = 36),
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  version     TEXT,
  channel     TEXT NOT NULL,
  arch        TEXT NOT NULL,
  user_agent  TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX fleet_clusters_last_seen ON fleet_clusters (last_seen);

-- A cluster's reported version changed from from_version to to_version, observed at \`at\`.
CREATE TABLE fleet_updates (
  id           INTEGER PRIMARY KEY,
  cluster_id   TEXT NOT NULL REFERENCES fleet_clusters (id) ON DELETE CASCADE,
  from_version TEXT NOT NULL,
  to_version   TEXT NOT NULL,
  at           INTEGER NOT NULL
) STRICT;
CREATE INDEX fleet_updates_at ON fleet_updates (at);
CREATE INDEX fleet_updates_cluster ON fleet_updates (cluster_id);
`;
