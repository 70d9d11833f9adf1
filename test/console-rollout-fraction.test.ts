// The console's drawing of a rollout's fraction over time (src/web/rollouts/fraction.ts) against docs/rollouts.md,
// including the paused case the fleet chart reconstructs (the line up to the frozen fraction, flat after it), and the
// durations as `kus rollout start --duration` takes them.
import t from 'tap';
import { formatDuration, fractionAt } from '../src/web/rollouts/fraction.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 24, 8);
const base = { start: new Date(T0).toISOString(), startPercentage: 10, durationSeconds: 4 * 3600, pausedFraction: null, fraction: 0 };

t.test('fractionAt follows the documented formula in each state', async (t) => {
  const active = { ...base, state: 'active' as const };
  t.equal(fractionAt(active, T0 - 1), 0, 'before the start: 0');
  t.equal(fractionAt(active, T0), 0.1, 'at the start: the start percentage');
  t.equal(fractionAt(active, T0 + 2 * H), 0.55, 'halfway: 10% + 90% × 1/2');
  t.equal(fractionAt(active, T0 + 4 * H), 1, 'at the end: 1');
  t.equal(fractionAt(active, T0 + 40 * H), 1, 'capped at 1');
  // Paused at 1 h: 10% + 90% × 1/4 = 32.5%, frozen from then on.
  const paused = { ...base, state: 'paused' as const, pausedFraction: 0.325, fraction: 0.325 };
  t.ok(Math.abs(fractionAt(paused, T0 + 0.5 * H) - 0.2125) < 1e-12, 'before the pause: the line (10% + 90% × 1/8)');
  t.equal(fractionAt(paused, T0 + 3 * H), 0.325, 'after it: frozen');
  t.equal(fractionAt({ ...base, state: 'completed' }, T0 - H), 1, 'completed: 1');
  t.equal(fractionAt({ ...base, state: 'aborted' }, T0 + 3 * H), 0, 'aborted: 0');
});

t.test('formatDuration: the largest unit that divides it', async (t) => {
  t.same([172_800, 14_400, 5_400, 90, 0].map(formatDuration), ['2d', '4h', '90m', '90s', '0s']);
});
