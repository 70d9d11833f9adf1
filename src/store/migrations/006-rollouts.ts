// Migration 006: phased rollouts and channel canaries (issue 13, docs/rollouts.md).
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- One rollout per (channel name, version as the channel lists it). Times are Unix milliseconds.
CREATE TABLE rollouts (
  channel          TEXT NOT NULL,
  version          TEXT NOT NULL,
  start            INTEGER NOT NULL,
  start_percentage REAL NOT NULL CHECK (start_percentage >= 0 AND start_percentage <= 100),
  duration_ms      INTEGER NOT NULL CHECK (duration_ms > 0),
  state            TEXT NOT NULL CHECK (state IN ('active', 'paused', 'completed', 'aborted')),
  paused_fraction  REAL CHECK (paused_fraction IS NULL OR (paused_fraction >= 0 AND paused_fraction <= 1)),
  PRIMARY KEY (channel, version)
) STRICT, WITHOUT ROWID;

-- Clusters (canonical lower-case UUIDs) that see every rollout of a channel at once.
CREATE TABLE channel_canaries (
  channel    TEXT NOT NULL,
  cluster_id TEXT NOT NULL CHECK (length(cluster_id) = 36),
  position   INTEGER NOT NULL,
  PRIMARY KEY (channel, cluster_id)
) STRICT, WITHOUT ROWID;
`;
