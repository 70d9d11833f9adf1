// Migration 007: promotion policies (issue 13, docs/policies.md) and the time each version was listed in a channel.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- When the row was written (Unix ms). Rows older than this migration did not record it: they count as listed since
-- the migration ran, so a policy made after an upgrade waits its full delay instead of promoting every old version.
ALTER TABLE channel_versions ADD COLUMN added_at INTEGER;
UPDATE channel_versions SET added_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);

-- "A version listed in source for after_ms is added to target" (rollout_ms: start a rollout of that length there).
CREATE TABLE promotion_policies (
  target     TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source <> target),
  after_ms   INTEGER NOT NULL CHECK (after_ms > 0),
  rollout_ms INTEGER CHECK (rollout_ms IS NULL OR rollout_ms > 0),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (target, source)
) STRICT, WITHOUT ROWID;

-- What each policy did for a version: promoted (never again, so a manual removal from target sticks) or refused
-- (tried again after a pause). Kept when the policy is removed: it is the policy's history.
CREATE TABLE policy_promotions (
  target   TEXT NOT NULL,
  source   TEXT NOT NULL,
  version  TEXT NOT NULL,
  at       INTEGER NOT NULL,
  outcome  TEXT NOT NULL CHECK (outcome IN ('promoted', 'refused')),
  error    TEXT,
  PRIMARY KEY (target, source, version)
) STRICT, WITHOUT ROWID;
`;
