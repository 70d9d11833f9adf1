// Migration 003: release signing keys and release signatures (issue 4).
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- OpenPGP keys. The public key is what clusters trust (verifier ConfigMap); the private key, when KUS holds it, is
-- armored and encrypted with the signing passphrase (KUS_SIGNING_PASSPHRASE). A public-only key (private_key NULL)
-- is trusted for uploaded signatures but cannot sign. Active keys sign every new release and are shipped to clusters.
CREATE TABLE signing_keys (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 40),
  public_key  TEXT NOT NULL,
  private_key TEXT,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at  TEXT NOT NULL
) STRICT;

-- Signature files as clusters fetch them: <store>/sha256=<hex>/signature-<idx>. Numbered from 1 without gaps per
-- digest and never overwritten. key_fingerprint is the verified signer (NULL: imported, signer not a stored key).
CREATE TABLE signatures (
  id              INTEGER PRIMARY KEY,
  digest          TEXT NOT NULL CHECK (digest GLOB 'sha256:*' AND length(digest) = 71),
  idx             INTEGER NOT NULL CHECK (idx >= 1),
  bytes           BLOB NOT NULL,
  key_fingerprint TEXT,
  created_at      TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('signed', 'uploaded', 'imported')),
  UNIQUE (digest, idx)
) STRICT;
`;
