// Migration 011 (010 is reserved by another branch): halting a rollout on evidence (issue 13, docs/rollouts.md):
// the rule `--halt-on-stalled N`, and how and when the rule paused the rollout. Embedded as a string so dist/ needs no
// copied .sql files. Never edit once merged: add a new migration instead.
export const sql = `
-- NULL: the rollout is never paused by the rule.
ALTER TABLE rollouts ADD COLUMN halt_on_stalled INTEGER CHECK (halt_on_stalled IS NULL OR halt_on_stalled >= 1);
-- Set together when the rule paused the rollout (Unix ms, the stalled clusters counted, the rule's N then); NULL otherwise.
ALTER TABLE rollouts ADD COLUMN halted_at INTEGER;
ALTER TABLE rollouts ADD COLUMN halted_stalled INTEGER;
ALTER TABLE rollouts ADD COLUMN halted_rule INTEGER;
`;
