// The evidence of a rollout on a synthetic fleet: who was eligible, saw the edge, updated, or stalled (stopped polling,
// or moved to another version), and when --halt-on-stalled N says to pause.
import t from 'tap';
import { createHash } from 'node:crypto';
import { rolloutEvidence, shouldHalt, type EvidenceCluster, type EvidenceInput, type EvidenceUpdate } from '../src/services/rollout-evidence.js';
import { clusterUuid } from './helpers/fleet-polls.js';

const HOUR = 3600_000;
const START = Date.parse('2026-12-01T00:00:00Z');
const DURATION = 48 * HOUR;
const fractionAt = (tm: number): number => (tm < START ? 0 : Math.min(1, 0.1 + 0.9 * (tm - START) / DURATION));
/** Deterministic per id, like the server's SHA-256 wariness; uniform enough for 2,000 ids. */
const wariness = (id: string): number => (createHash('sha256').update(id).digest().readUInt32BE(0) + 1) / 2 ** 32;
const id = clusterUuid;

function input(clusters: EvidenceCluster[], updates: EvidenceUpdate[], now: number): EvidenceInput {
  return { channel: 'stable-4.9', target: '4.9.3', sources: new Set(['4.9.1', '4.9.2']), start: START, now, fractionAt, wariness, silentAfterMs: 2 * HOUR, clusters, updates };
}

t.test('a synthetic fleet of 2,000 clusters: counts follow the definitions', async (t) => {
  const now = START + 24 * HOUR;
  const clusters: EvidenceCluster[] = [];
  const updates: EvidenceUpdate[] = [];
  const expected = { eligible: 0, sawEdge: 0, updated: 0, stalled: [] as string[] };
  for (let n = 0; n < 2000; n++) {
    const c = id(n);
    const kind = n % 5;
    if (kind === 0) {
      // Another channel: never counted.
      clusters.push({ id: c, channel: 'fast-4.9', version: '4.9.1', lastSeen: now });
      continue;
    }
    if (kind === 1) {
      // Still on a previous version, polling: eligible; saw the edge when its wariness is under the current fraction.
      clusters.push({ id: c, channel: 'stable-4.9', version: '4.9.2', lastSeen: now - 60_000 });
      expected.eligible++;
      if (wariness(c) <= fractionAt(now - 60_000)) expected.sawEdge++;
      continue;
    }
    if (kind === 2) {
      // Updated 4.9.1 -> 4.9.3 at some time: only possible once it saw the edge.
      const at = START + (n % 20) * HOUR;
      if (wariness(c) > fractionAt(at)) {
        clusters.push({ id: c, channel: 'stable-4.9', version: '4.9.1', lastSeen: now });
        expected.eligible++;
        if (wariness(c) <= fractionAt(now)) expected.sawEdge++;
        continue;
      }
      clusters.push({ id: c, channel: 'stable-4.9', version: '4.9.3', lastSeen: now });
      updates.push({ clusterId: c, from: '4.9.1', to: '4.9.3', at });
      expected.eligible++;
      expected.sawEdge++;
      expected.updated++;
      continue;
    }
    if (kind === 3) {
      // Silent for 3 h on a previous version: stalled if the edge was shown at its last poll.
      const last = now - 3 * HOUR;
      clusters.push({ id: c, channel: 'stable-4.9', version: '4.9.2', lastSeen: last });
      expected.eligible++;
      if (wariness(c) <= fractionAt(last)) {
        expected.sawEdge++;
        expected.stalled.push(c);
      }
      continue;
    }
    // kind 4: was on 4.9.4 all along (no edge to the target from there): not eligible.
    clusters.push({ id: c, channel: 'stable-4.9', version: '4.9.4', lastSeen: now });
  }
  const e = rolloutEvidence(input(clusters, updates, now));
  t.same({ eligible: e.eligible, sawEdge: e.sawEdge, updated: e.updated, stalled: e.stalled }, { eligible: expected.eligible, sawEdge: expected.sawEdge, updated: expected.updated, stalled: expected.stalled.length });
  t.same(e.stalledIds, expected.stalled.sort().slice(0, 100));
  t.ok(e.updated > 50 && e.stalled > 20 && e.sawEdge < e.eligible, `the fleet exercises every count (${JSON.stringify({ ...e, stalledIds: e.stalledIds.length })})`);
});

t.test('edge cases: a move to another version stalls; updates before start, silent clusters that never saw it, canaries', async (t) => {
  const now = START + HOUR;
  const clusters: EvidenceCluster[] = [
    { id: id(1), channel: 'stable-4.9', version: '4.9.9', lastSeen: now }, // 4.9.1 -> 4.9.9 since start, saw it: stalled
    { id: id(2), channel: 'stable-4.9', version: '4.9.3', lastSeen: now }, // updated before the rollout: not eligible
    { id: id(3), channel: 'stable-4.9', version: '4.9.2', lastSeen: START - HOUR }, // silent since before start: not eligible
    { id: id(4), channel: 'stable-4.9', version: '4.9.2', lastSeen: START }, // canary, silent for an hour (< 2 h): saw it, not stalled yet
  ];
  const updates: EvidenceUpdate[] = [
    { clusterId: id(1), from: '4.9.1', to: '4.9.9', at: START + 30 * 60_000 },
    { clusterId: id(2), from: '4.9.1', to: '4.9.3', at: START - 1 },
  ];
  const canaryOrEveryone = (c: string): number => (c === id(4) ? 0 : 1e-9);
  const base = { ...input(clusters, updates, now), wariness: canaryOrEveryone };
  t.match(rolloutEvidence(base), { eligible: 2, sawEdge: 2, updated: 0, stalled: 1, stalledIds: [id(1)] });
  t.match(rolloutEvidence({ ...base, now: START + 2 * HOUR }), { stalled: 2, stalledIds: [id(1), id(4)] }, 'the canary stalls once silent for 2 h');
  t.match(rolloutEvidence({ ...base, wariness: (c) => (c === id(4) ? 0 : 1), fractionAt: () => 0.5 }), { sawEdge: 1, stalled: 0 }, 'a cluster the fraction did not reach is no evidence');
});

t.test('--halt-on-stalled N', async (t) => {
  t.equal(shouldHalt({ stalled: 2 }, 3), false);
  t.equal(shouldHalt({ stalled: 3 }, 3), true);
  t.equal(shouldHalt({ stalled: 100 }, undefined), false, 'without the flag a rollout never halts by itself');
});
