// How the rollout commands print a rollout for a person.
import type { RolloutInfo, RolloutListItem } from '../services/rollouts.js';
import { formatTable } from './output.js';

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;

function duration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

export function rolloutLine(r: RolloutInfo): string {
  const halt = r.haltOnStalled === null ? '' : `, halts at ${r.haltOnStalled} stalled`;
  const halted = r.halted ? ` (${r.state === 'paused' ? 'halted' : 'last halted'} at ${r.halted.at}: ${r.halted.reason})` : '';
  return `${r.channel} ${r.version}: ${r.state}${halted}, ${percent(r.fraction)} of clusters now (from ${r.startPercentage}% at ${r.start}, over ${duration(r.durationSeconds)}${halt})\n`;
}

/** The state, and why when the halting rule paused it. */
const stateText = (r: RolloutInfo): string => (r.halted && r.state === 'paused' ? `${r.state} (halted)` : r.state);

export function rolloutTable(rows: readonly RolloutListItem[]): string {
  if (rows.length === 0) return 'no rollouts\n';
  // Evidence columns are "-" when the server records no fleet (--no-fleet).
  const count = (r: RolloutListItem, field: 'eligible' | 'sawEdge' | 'updated' | 'stalled'): string => (r.evidence ? String(r.evidence[field]) : '-');
  const table = formatTable(['CHANNEL', 'VERSION', 'STATE', 'FRACTION', 'START', 'FROM', 'DURATION', 'ELIGIBLE', 'SAW', 'UPDATED', 'STALLED', 'HALT AT'],
    rows.map((r) => [
      r.channel, r.version, stateText(r), percent(r.fraction), r.start, `${r.startPercentage}%`, duration(r.durationSeconds),
      count(r, 'eligible'), count(r, 'sawEdge'), count(r, 'updated'), count(r, 'stalled'), r.haltOnStalled === null ? '-' : String(r.haltOnStalled),
    ]));
  const notes = rows.filter((r) => r.halted).map((r) => `${r.channel} ${r.version} ${r.state === 'paused' ? 'halted' : 'last halted'} at ${r.halted!.at}: ${r.halted!.reason}\n`);
  return table + notes.join('');
}
