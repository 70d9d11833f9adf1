// The evidence feed on a real SQLite store and the edges the build worker notes as it serves (fleet_offers, noted with
// the worker's own function): the previous versions are those with an edge into the release in the rollout's channel
// (other channels' edges do not count), a canary has wariness 0, and the fraction over time of a paused rollout is
// its line until the pause, then frozen.
import t from 'tap';
import path from 'node:path';
import { fractionOverTime, RolloutEvidenceFeed } from '../src/services/rollout-evidence-feed.js';
import { FleetInventory } from '../src/services/fleet/index.js';
import { noteFirstServed } from '../src/services/fleet/offer-notes.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { servedGraphsOf } from '../src/services/graph-explorer.js';
import { Publisher, type Actor } from '../src/services/publisher.js';
import { warinessOf } from '../src/services/wariness.js';
import { openStore } from '../src/store/index.js';
import { buildGraph, GraphViews, type Rollout } from '../src/graph/index.js';
import { payload } from './helpers/admin-app.js';
import { clusterUuid } from './helpers/fleet-polls.js';
import { tempTree } from './helpers/temp-tree.js';

const alice: Actor = { name: 'alice' };
const HOUR = 3600_000;
const T0 = Date.parse('2026-12-01T08:00:00Z');
const silent = { info() {}, warn() {}, error() {} };

t.test('fractionOverTime: the line until the pause, frozen after; completed 1, aborted 0', async (t) => {
  const r: Rollout = { channel: 'c', version: '1.0.1', start: T0, startPercentage: 10, durationMs: 10 * HOUR, state: 'active', pausedFraction: null };
  const active = fractionOverTime(r);
  t.equal(active(T0 - 1), 0);
  t.equal(active(T0), 0.1);
  t.equal(active(T0 + 5 * HOUR), 0.55);
  t.equal(active(T0 + 20 * HOUR), 1);
  const paused = fractionOverTime({ ...r, state: 'paused', pausedFraction: 0.37 });
  t.equal(paused(T0 + HOUR), 0.19, 'before the pause: as it was');
  t.equal(paused(T0 + 9 * HOUR), 0.37, 'after: frozen');
  t.equal(fractionOverTime({ ...r, state: 'completed' })(T0 - HOUR), 1);
  t.equal(fractionOverTime({ ...r, state: 'aborted' })(T0 + HOUR), 0);
});

t.test('the feed: previous versions from the served edges of the channel, canaries at wariness 0, recorded updates', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const publisher = new Publisher({ store, rebuild: () => ({ ok: true }) });
  publisher.createChannel(alice, 'stable-4.9');
  publisher.createChannel(alice, 'fast-4.9');
  publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9', 'fast-4.9'] });
  publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['stable-4.9', 'fast-4.9'] });
  // fast-4.9 also has 4.8.9 -> 4.9.2 (4.8.9 is listed there only): not an edge of stable-4.9.
  publisher.addRelease(alice, { version: '4.8.9', arch: 'amd64', payload: payload(5), channels: ['fast-4.9'] });
  publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(3), previous: ['4.9.1', '4.8.9'], channels: ['stable-4.9', 'fast-4.9'] });
  publisher.addRelease(alice, { version: '4.9.3', arch: 'amd64', payload: payload(4), previous: ['4.9.0'], channels: ['fast-4.9'] });
  publisher.startRollout(alice, { channel: 'stable-4.9', version: '4.9.2', duration: '10h', startPercentage: 0 }, T0);
  const views = new GraphViews(buildGraph(store.loadGraphInput()).graph);
  const bodies = ['stable-4.9', 'fast-4.9'].map((channel) => ({ channel, arch: 'amd64', digest: channel }));
  t.equal(noteFirstServed(store.fleet, () => views, bodies, T0), 2, 'the edges of both channels noted as the build worker notes them');
  // The evidence reads no served body (that would parse graphs on the thread that answers clusters).
  const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: silent, warmUp: false });
  const served = { ...servedGraphsOf(graphs), body: (): never => t.fail('the evidence read a served body') as never };
  const feed = new RolloutEvidenceFeed({ fleet: new FleetInventory({ repository: store.fleet, served }), silentAfterMs: HOUR });

  // Ids with a known wariness: a cautious one (above every fraction used here) made a canary, a bold one.
  const pick = (lo: number, hi: number, not?: string): string => {
    for (let n = 0; ; n++) {
      const id = clusterUuid(n);
      const w = warinessOf(id);
      if (w >= lo && w < hi && id !== not) return id;
    }
  };
  const canary = pick(0.9, 1);
  const bold = pick(0, 0.05);
  const cautious = pick(0.8, 0.9);
  const onZero = pick(0.05, 0.1);
  const onFastOnly = pick(0.05, 0.1, onZero);
  publisher.changeCanaries(alice, 'stable-4.9', 'add', [canary]);
  const at = T0 + HOUR; // fraction 0.1
  const poll = (id: string, version: string, when: number, changes: Array<{ from: string; to: string; at: number }> = [], firstVersion = version) =>
    ({ id, firstSeen: when, lastSeen: when, version, channel: 'stable-4.9', arch: 'amd64', userAgent: null, changes, firstVersion });
  store.fleet.record([
    poll(canary, '4.9.1', at), poll(bold, '4.9.1', at), poll(cautious, '4.9.1', at),
    poll(onZero, '4.9.0', at), // 4.9.0 has no edge to 4.9.2 in stable-4.9: not eligible
    poll(onFastOnly, '4.8.9', at), // 4.8.9 -> 4.9.2 is an edge of fast-4.9 only: not eligible either
  ]);
  store.fleet.record([
    poll(canary, '4.9.3', at + 10 * 60_000, [{ from: '4.9.1', to: '4.9.3', at: at + 10 * 60_000 }], '4.9.1'), // left to another version
    poll(bold, '4.9.2', at + 10 * 60_000, [{ from: '4.9.1', to: '4.9.2', at: at + 10 * 60_000 }], '4.9.1'), // updated
  ]);
  const rollout = publisher.listRollouts()[0]!;
  const [evidence] = feed.evidence([rollout], (channel) => publisher.listCanaries(channel), at + 20 * 60_000);
  t.same(evidence, { eligible: 3, sawEdge: 2, updated: 1, stalled: 1, stalledIds: [canary] },
    'the canary saw it (wariness 0) and went elsewhere; the bold one updated; the cautious one never saw it; 4.9.0 and 4.8.9 are no previous versions in stable-4.9');
  const [later] = feed.evidence([rollout], () => [], at + 3 * HOUR);
  t.same(later, { eligible: 3, sawEdge: 1, updated: 1, stalled: 0, stalledIds: [] }, 'without the canary list the cautious canary never saw it');
});
