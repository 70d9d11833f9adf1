// How the rollout commands print a rollout for a person.
import type { RolloutInfo } from '../services/rollouts.js';
import { formatTable } from './output.js';

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;

function duration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

export function rolloutLine(r: RolloutInfo): string {
  return `${r.channel} ${r.version}: ${r.state}, ${percent(r.fraction)} of clusters now (from ${r.startPercentage}% at ${r.start}, over ${duration(r.durationSeconds)})\n`;
}

export function rolloutTable(rows: readonly RolloutInfo[]): string {
  if (rows.length === 0) return 'no rollouts\n';
  return formatTable(['CHANNEL', 'VERSION', 'STATE', 'FRACTION', 'START', 'FROM', 'DURATION'],
    rows.map((r) => [r.channel, r.version, r.state, percent(r.fraction), r.start, `${r.startPercentage}%`, duration(r.durationSeconds)]));
}
