// `kus rollout ...` and `kus channel canaries` on a local store (--db): errors that name the offending value, the
// JSON list, pause/resume in the store, the audit rows, and a channel change that drops a rollout.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { json, kusOn, payload, stored, succeeds } from './helpers/cli-local.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

t.test('rollouts on a local store', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);
  succeeds(t, kus('channel', 'create', 'stable-5.0'));
  succeeds(t, kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1), '--channel', 'stable-5.0'));
  succeeds(t, kus('release', 'add', '--version', '5.0.1', '--arch', 'arm64', '--payload', payload(2), '--previous', '5.0.0', '--channel', 'stable-5.0'));

  const refused = (args: string[], code: string, quoted: string, exit = 1): void => {
    const r = kus(...args);
    t.equal(r.status, exit, `${args.join(' ')}: exit ${exit}`);
    t.match(r.stderr, new RegExp(`^${code}: .*${quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${args.join(' ')}: ${r.stderr.trim()}`);
  };
  refused(['rollout', 'start', 'nope-5.0', '5.0.1', '--duration', '48h'], 'KUS_ERR_NOT_FOUND', '"nope-5.0"');
  refused(['rollout', 'start', 'stable-5.0', '5.0.9', '--duration', '48h'], 'KUS_ERR_NOT_FOUND', '"5.0.9" is not in channel "stable-5.0"');
  refused(['rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '2 days'], 'KUS_ERR_INVALID_ROLLOUT', '"2 days"');
  refused(['rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '48h', '--start-percentage', '101'], 'KUS_ERR_INVALID_ROLLOUT', '"101"');
  refused(['rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '48h', '--start', 'tomorrow'], 'KUS_ERR_INVALID_ROLLOUT', '"tomorrow"');
  refused(['rollout', 'start', 'stable-5.0', '5.0.1'], 'KUS_ERR_USAGE', '--duration', 2);
  refused(['channel', 'canaries', 'stable-5.0', 'add', '1234'], 'KUS_ERR_INVALID_CLUSTER_ID', '"1234"');
  refused(['rollout', 'pause', 'stable-5.0', '5.0.1'], 'KUS_ERR_NOT_FOUND', 'has no rollout');

  const started = succeeds(t, kus('rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '48h', '--start', '2026-01-01T00:00:00Z', '--start-percentage', '5'));
  t.match(started.stdout, /stable-5\.0 5\.0\.1: active, 100\.0% of clusters now \(from 5% at 2026-01-01T00:00:00\.000Z, over 2d\)/);
  refused(['rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '48h'], 'KUS_ERR_CONFLICT', 'already has an active rollout');
  succeeds(t, kus('rollout', 'abort', 'stable-5.0', '5.0.1'));
  const future = new Date(Date.now() + 3_600_000).toISOString();
  succeeds(t, kus('rollout', 'start', 'stable-5.0', '5.0.1', '--duration', '7d', '--start', future));
  succeeds(t, kus('rollout', 'pause', 'stable-5.0', '5.0.1'));
  const list = json<Array<{ channel: string; version: string; state: string; fraction: number }>>(kus('rollout', 'list', '--json'));
  t.match(list, [{ channel: 'stable-5.0', version: '5.0.1', state: 'paused', fraction: 0 }], 'list --json: channel, version, state, fraction');
  t.match(list, [{ haltOnStalled: null, halted: null, evidence: { eligible: 0, sawEdge: 0, updated: 0, stalled: 0, stalledIds: [] } }],
    'with --db: the evidence of the fleet this store recorded (none), the rule and halt fields');
  const table = succeeds(t, kus('rollout', 'list')).stdout.split('\n');
  t.match(table[0], /^CHANNEL\s+VERSION\s+STATE\s+FRACTION\s+START\s+FROM\s+DURATION\s+ELIGIBLE\s+SAW\s+UPDATED\s+STALLED\s+HALT AT$/);
  t.match(table[1], /^stable-5\.0\s+5\.0\.1\s+paused\s+0\.0%\s+\S+\s+0%\s+7d\s+0\s+0\s+0\s+0\s+-$/, 'the evidence columns, and no rule');
  t.equal(kus('rollout', 'pause', 'stable-5.0', '5.0.1').stdout.startsWith('nothing changed'), true, 'pausing again changes nothing');
  refused(['rollout', 'pause', 'stable-5.0', '5.0.0'], 'KUS_ERR_NOT_FOUND', '5.0.0 has no rollout in stable-5.0');

  succeeds(t, kus('channel', 'canaries', 'stable-5.0', 'add', 'ABCDEF01-2345-6789-ABCD-EF0123456789'));
  t.equal(kus('channel', 'canaries', 'stable-5.0').stdout, 'abcdef01-2345-6789-abcd-ef0123456789\n', 'stored in lower case');
  const actions = stored(db).audit.map((a) => a.action);
  for (const a of ['rollout.start', 'rollout.abort', 'rollout.pause', 'channel.canaries.add']) t.ok(actions.includes(a), `audited ${a}`);

  succeeds(t, kus('channel', 'remove', 'stable-5.0', '5.0.1'));
  t.same(stored(db).graphData.rollouts, undefined, 'removing the version from the channel drops its rollout');
  t.same(stored(db).graphData.canaries, [{ channel: 'stable-5.0', ids: ['abcdef01-2345-6789-abcd-ef0123456789'] }], 'the canaries stay with the channel');
});

t.test('--help teaches', async (t) => {
  const r = kusOn(path.join(tempTree(t), 'kus.db'))('rollout', 'start', '--help');
  t.equal(r.status, 0);
  for (const s of ['wariness', '--duration', '--start-percentage', 'canaries', 'kus rollout start stable-4.9 4.9.22 --duration 48h', '--halt-on-stalled N', 'rollout.halt']) t.match(r.stdout, s);
  const list = kusOn(path.join(tempTree(t), 'kus.db'))('rollout', 'list', '--help');
  for (const s of ['ELIGIBLE', 'STALLED', 'HALT AT', 'evidence ({eligible, sawEdge, updated, stalled, stalledIds} or null)']) t.match(list.stdout, s);
});
