// "24h", "7d": the look-back windows of the fleet questions and the retention. One unit per value keeps the grammar
// trivially checkable by a JSON schema pattern (FLEET_DURATION_PATTERN); a library's richer grammar could not be.
import { KusError } from '../../errors/index.js';

export const FLEET_DURATION_PATTERN = '^[0-9]{1,9}[smhdw]$';
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Milliseconds of "90s", "15m", "24h", "30d", "2w"; KUS_ERR_BAD_REQUEST quoting the value otherwise. */
export function parseFleetDuration(value: string, what = 'since'): number {
  const m = /^([0-9]{1,9})([smhdw])$/.exec(value);
  if (!m || Number(m[1]) === 0) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `${what} ${JSON.stringify(value)} is not a duration: a positive number with one unit of s, m, h, d or w (e.g. 24h, 7d)`, { [what]: value });
  }
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
