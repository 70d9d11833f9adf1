// A rollout's fraction at any instant, from its start, start percentage, duration and state (docs/rollouts.md), so the
// fleet page can draw it over time; the server's own `fraction` is what the page states as "now".
import type { Rollout } from '../api-types.js';

/**
 * 0 before the start; p + (1 − p) × elapsed / duration while active, capped at 1; when paused, that line until it reached
 * the frozen fraction and flat after it (the start of a paused rollout is the one it ran from); 1 completed; 0 aborted.
 */
export function fractionAt(rollout: Pick<Rollout, 'state' | 'start' | 'startPercentage' | 'durationSeconds' | 'pausedFraction' | 'fraction'>, at: number): number {
  if (rollout.state === 'completed') return 1;
  if (rollout.state === 'aborted') return 0;
  const start = Date.parse(rollout.start);
  if (at < start) return 0;
  const p = rollout.startPercentage / 100;
  const duration = rollout.durationSeconds * 1000;
  const running = duration > 0 ? Math.min(1, p + ((1 - p) * (at - start)) / duration) : 1;
  return rollout.state === 'paused' ? Math.min(running, rollout.pausedFraction ?? rollout.fraction) : running;
}

/** 172800 → "2d", 5400 → "90m": the largest unit that divides it, as `kus rollout start --duration` takes it. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

export const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
