// Migration 001: releases, graph-data (channels, blocked and conditional edges, raw metadata), meta and audit.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One concrete release per (version, arch); arch NULL is a node without architecture.
CREATE TABLE releases (
  id         INTEGER PRIMARY KEY,
  version    TEXT NOT NULL,
  arch       TEXT,
  payload    TEXT NOT NULL,
  digest     TEXT,
  metadata   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  previous   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(previous) AND json_type(previous) = 'array'),
  next       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(next) AND json_type(next) = 'array'),
  created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX releases_version_arch ON releases (version, ifnull(arch, ''));

-- channels/<file>: the channel name comes from the file's content, the order of versions is kept.
CREATE TABLE channels (
  file  TEXT PRIMARY KEY,
  name  TEXT NOT NULL,
  extra TEXT CHECK (extra IS NULL OR (json_valid(extra) AND json_type(extra) = 'object'))
) STRICT;
CREATE INDEX channels_name ON channels (name);

CREATE TABLE channel_versions (
  channel_file TEXT NOT NULL REFERENCES channels (file) ON DELETE CASCADE ON UPDATE CASCADE,
  position     INTEGER NOT NULL,
  version      TEXT NOT NULL,
  PRIMARY KEY (channel_file, position)
) STRICT;

-- blocked-edges/<file> with only to/from.
CREATE TABLE blocked_edges (
  file       TEXT PRIMARY KEY,
  to_version TEXT NOT NULL,
  from_regex TEXT NOT NULL
) STRICT;

-- blocked-edges/<file> declaring a risk.
CREATE TABLE conditional_edges (
  file           TEXT PRIMARY KEY,
  to_version     TEXT NOT NULL,
  from_regex     TEXT NOT NULL,
  url            TEXT NOT NULL,
  name           TEXT NOT NULL,
  message        TEXT NOT NULL,
  matching_rules TEXT NOT NULL CHECK (json_valid(matching_rules) AND json_type(matching_rules) = 'array'),
  extra          TEXT CHECK (extra IS NULL OR (json_valid(extra) AND json_type(extra) = 'object'))
) STRICT;

-- Both kinds live in the one blocked-edges/ folder, so a file name may be used by only one of them.
CREATE TRIGGER blocked_edges_file_unique BEFORE INSERT ON blocked_edges
  WHEN EXISTS (SELECT 1 FROM conditional_edges WHERE file = NEW.file)
  BEGIN SELECT RAISE(ABORT, 'blocked-edges file name already used by a conditional edge'); END;
CREATE TRIGGER conditional_edges_file_unique BEFORE INSERT ON conditional_edges
  WHEN EXISTS (SELECT 1 FROM blocked_edges WHERE file = NEW.file)
  BEGIN SELECT RAISE(ABORT, 'blocked-edges file name already used by a plain blocked edge'); END;

-- raw/metadata.json, one row per (version, key); position keeps the file order.
CREATE TABLE raw_metadata (
  position INTEGER PRIMARY KEY,
  version  TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  UNIQUE (version, key)
) STRICT;

CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     TEXT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  before TEXT CHECK (before IS NULL OR json_valid(before)),
  after  TEXT CHECK (after IS NULL OR json_valid(after))
) STRICT;
`;
