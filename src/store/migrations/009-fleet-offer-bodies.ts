// Migration 009: which graph each (channel, arch)'s first-served edge times were last noted from, so that the build
// worker notes only bodies whose content changed, and a restart re-reads no edge it has already noted.
// Embedded as a string so dist/ needs no copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- The content digest (GraphViews.bodyDigest) of the body whose edges were last noted into fleet_offers.
CREATE TABLE fleet_offer_bodies (
  channel TEXT NOT NULL,
  arch    TEXT NOT NULL,
  digest  TEXT NOT NULL,
  PRIMARY KEY (channel, arch)
) STRICT, WITHOUT ROWID;
`;
