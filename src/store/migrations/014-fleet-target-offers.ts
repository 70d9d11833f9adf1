// Migration 014: the first-served times of edges (008's fleet_offers) as one row per target and time instead of one
// per edge. Measured at upstream scale (6,251 releases, 76 channels, 4 arches): 1,113,464 edge rows took the store from
// 5.5 to 60 MB, and noting them took ~3.4 s of the build worker at a first start, one INSERT per edge. The edges of a
// body that are first served together share a target and a time, so one row holds all of their sources.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- The edges from_versions -> to_version (space-separated: a version has no space) that the served graph of
-- (channel, arch) first had at first_served (Unix ms). An edge is in one row only: the time it was first noted.
CREATE TABLE fleet_target_offers (
  channel       TEXT NOT NULL,
  arch          TEXT NOT NULL,
  to_version    TEXT NOT NULL,
  first_served  INTEGER NOT NULL,
  from_versions TEXT NOT NULL,
  PRIMARY KEY (channel, arch, to_version, first_served)
) STRICT, WITHOUT ROWID;
INSERT INTO fleet_target_offers (channel, arch, to_version, first_served, from_versions)
  SELECT channel, arch, to_version, first_served, group_concat(from_version, ' ') FROM fleet_offers
  GROUP BY channel, arch, to_version, first_served;
DROP TABLE fleet_offers;
`;
