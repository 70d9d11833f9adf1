// Migration 002: admin bearer tokens (only their sha256 is kept) and the outcome of audited writes (refusals too).
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- A token's secret is shown once at creation; the store keeps only its sha256 (hex). A revoked token keeps its row
-- (revoked_at set) so that the audit trail's token names stay meaningful; its name can be reused by a new token.
CREATE TABLE tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
) STRICT;

-- Refused writes are audited as well: outcome says which, error_code/error_message say why.
ALTER TABLE audit ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused'));
ALTER TABLE audit ADD COLUMN error_code TEXT;
ALTER TABLE audit ADD COLUMN error_message TEXT;
`;
