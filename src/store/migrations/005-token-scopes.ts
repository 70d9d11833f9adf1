// Migration 005: admin token scopes (issue 12) and idempotent fleet reports from replicas.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- What a token may do: admin (everything), viewer (admin GETs only), fleet-report (only a replica's fleet reports).
-- Tokens made before scopes existed could do everything: they stay admin.
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin' CHECK (scope IN ('admin', 'viewer', 'fleet-report'));

-- Replicas deliver their fleet batches at least once: the same observed update may arrive again and must be kept once.
DELETE FROM fleet_updates WHERE id NOT IN (SELECT min(id) FROM fleet_updates GROUP BY cluster_id, from_version, to_version, at);
CREATE UNIQUE INDEX fleet_updates_observation ON fleet_updates (cluster_id, from_version, to_version, at);
`;
