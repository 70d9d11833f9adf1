// Promotion policies inside a real `kus serve` (build worker, admin API, CLI over --server) with an injected clock:
// they run once at start and then on their timer, promote when due and not before, hold a version with a risk,
// promote once, and show in the audit log, `kus channel policies` and /metrics.
import t, { type Test } from 'tap';
import path from 'node:path';
import { startServer, type RunningServer } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { PromotionPolicies } from '../src/services/policies/index.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { payload } from './helpers/admin-app.js';
import { runKusAsync } from './helpers/run-cli.js';
import { tempTree } from './helpers/temp-tree.js';

const DAY = 86_400_000;
const setup = { name: 'setup' };

/** A store with candidate-4.9 (4.9.0, 4.9.1, 4.9.2 with a risk) and fast-4.9 (4.9.0), a 7d policy, and a token. */
function prepare(t: Test): { file: string; token: string; listedAt: number } {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  const publisher = new Publisher({ store, rebuild: () => undefined });
  publisher.createChannel(setup, 'candidate-4.9');
  publisher.createChannel(setup, 'fast-4.9');
  publisher.createChannel(setup, 'stable-4.9');
  publisher.addRelease(setup, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['candidate-4.9', 'fast-4.9'] });
  publisher.addRelease(setup, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  publisher.addRelease(setup, { version: '4.9.2', arch: 'amd64', payload: payload(3), previous: ['4.9.1'], channels: ['candidate-4.9'] });
  publisher.addRisk(setup, { to: '4.9.2', from: '.*', url: 'https://bugs.example/2', name: 'Regression', message: 'a regression', matchingRules: [{ type: 'Always' }] });
  const listedAt = Math.max(...store.channels.listings(['candidate-4.9']).map((l) => l.addedAt));
  new PromotionPolicies({ store, publisher }).set(setup, { target: 'fast-4.9', source: 'candidate-4.9', after: '7d' });
  const token = new Tokens({ store }).create(setup, 'tester').token;
  store.close();
  return { file, token, listedAt };
}

async function serve(t: Test, file: string, now: () => Date, intervalMs: number): Promise<RunningServer> {
  const server = await startServer(loadConfig({ db: file, host: '127.0.0.1', port: '0', logLevel: 'silent' }), { policies: { now, intervalMs }, fleet: null });
  t.teardown(() => server.close());
  return server;
}

async function servedVersions(server: RunningServer, channel: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=${channel}&arch=amd64`, { headers: { accept: 'application/json' } });
  return ((await res.json()) as { nodes: Array<{ version: string }> }).nodes.map((n) => n.version).sort();
}

/** Waits (bounded) until the policies have run `n` more times. */
async function runs(server: RunningServer, n: number): Promise<void> {
  await ranAtLeast(server, server.policies.stats.runs + n);
}

async function ranAtLeast(server: RunningServer, target: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (server.policies.stats.runs < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (server.policies.stats.runs < target) throw new Error(`the policies ran ${server.policies.stats.runs} times, not ${target}`);
}

t.test('in kus serve: not before the delay, then on the timer; a risk holds; once only; audited; CLI and metrics', async (t) => {
  const { file, token, listedAt } = prepare(t);
  const clock = { now: listedAt + 7 * DAY - 60_000 };
  const server = await serve(t, file, () => new Date(clock.now), 50);
  await runs(server, 3);
  t.same(await servedVersions(server, 'fast-4.9'), ['4.9.0'], 'one minute early: nothing promoted, after several runs');

  clock.now = listedAt + 7 * DAY;
  await runs(server, 2);
  t.same(await servedVersions(server, 'fast-4.9'), ['4.9.0', '4.9.1'], 'due: promoted by the timer, served');
  await runs(server, 3);

  const admin = { server: ['--server', server.url, '--token', token] };
  const list = await runKusAsync(['channel', 'policies', '--json', ...admin.server]);
  t.equal(list.status, 0, list.stderr);
  const [policy] = JSON.parse(list.stdout) as Array<{ candidates: Array<{ version: string; status: string; reason?: string }> }>;
  t.match(policy!.candidates, [{ version: '4.9.2', status: 'held', reason: /^risk 4\.9\.2-.*\(to 4\.9\.2\)$/ }], '4.9.2 is held by its risk; 4.9.1 is in fast now');

  const audit = await fetch(`${server.url}/api/admin/v1/audit?limit=50`, { headers: { authorization: `Bearer ${token}` } });
  const rows = ((await audit.json()) as { value: Array<{ actor: string; action: string; target: string }> }).value;
  const byPolicy = rows.filter((r) => r.actor === 'policy:candidate-4.9->fast-4.9').map((r) => `${r.action} ${r.target}`);
  t.same(byPolicy, ['policy.promote fast-4.9 4.9.1', 'channel.add fast-4.9 4.9.1'], 'one promotion, audited, after five more runs (idempotent)');

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  t.match(metrics, /kus_policy_promotions_total\{outcome="promoted"\} 1\n/);
  t.match(metrics, /kus_policy_promotions_total\{outcome="refused"\} 0\n/);

  const set = await runKusAsync(['channel', 'policy', 'stable-4.9', '--from', 'fast-4.9', '--after', '1d', '--rollout', '48h', ...admin.server]);
  t.equal(set.status, 0);
  t.match(set.stderr, /^warning: 2 versions are listed in fast-4.9 for longer than that and will be promoted on the next run: 4.9.0, 4.9.1\n/, 'the versions due at once are named');
  t.match(set.stdout, /fast-4.9 -> stable-4.9: versions listed in fast-4.9 for 1d are added to stable-4.9 with a 2d rollout/);
  await runs(server, 2);
  const rollouts = await fetch(`${server.url}/api/admin/v1/rollouts?channel=stable-4.9`, { headers: { authorization: `Bearer ${token}` } });
  const started = ((await rollouts.json()) as { value: Array<{ version: string; state: string; durationSeconds: number; evidence: unknown }> }).value;
  t.same(started.map((r) => r.evidence), [null, null], '--no-fleet: no evidence');
  t.match(started.map((r) => [r.version, r.state, r.durationSeconds]).sort(), [['4.9.0', 'active', 172800], ['4.9.1', 'active', 172800]], '--rollout: each promotion started a 48 h rollout');
  const bad = await runKusAsync(['channel', 'policy', 'stable-4.9', '--from', 'nope-4.9', '--after', '1d', ...admin.server]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /^KUS_ERR_NOT_FOUND: channel "nope-4.9" does not exist/);
  const removed = await runKusAsync(['channel', 'policy', 'stable-4.9', '--from', 'fast-4.9', '--remove', '--json', ...admin.server]);
  t.equal(removed.status, 0, removed.stderr);
  t.match(JSON.parse(removed.stdout), { target: 'stable-4.9', source: 'fast-4.9', afterSeconds: 86400, rolloutSeconds: 172800 });
});

t.test('in kus serve: the policies run once at start, before the first interval', async (t) => {
  const { file, listedAt } = prepare(t);
  const server = await serve(t, file, () => new Date(listedAt + 30 * DAY), 3600_000);
  await ranAtLeast(server, 1);
  t.equal(server.policies.stats.runs, 1, 'one run, at start');
  t.same(await servedVersions(server, 'fast-4.9'), ['4.9.0', '4.9.1']);
});
