// Halting on evidence (issue 13) in a real `kus serve` process: a synthetic fleet of cluster ids polls the real graph
// endpoint on the previous version of a rollout with --halt-on-stalled 3. Clusters under the fraction are shown the
// edge; of those, some update, some report another version, one goes silent (--rollout-silent-after 3s, so the test
// waits seconds, not hours), some keep polling; clusters above the fraction that go silent do not count. With 2
// stalled the rollout stays active (the check ran: its gauge says 2); at 3 it is paused by the rule, audited as
// rollout.halt naming the count and the rule, counted in /metrics, and `kus rollout list` shows it all.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { warinessOf } from '../src/services/wariness.js';
import { json, kusOn, payload, succeeds } from './helpers/cli-local.js';
import { runKusAsync } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

const CHANNEL = 'stable-4.9';
const TARGET = '4.9.2';

interface Evidence { eligible: number; sawEdge: number; updated: number; stalled: number; stalledIds: string[] }
interface Listed {
  channel: string; version: string; state: string; fraction: number; haltOnStalled: number | null;
  halted: { at: string; stalled: number; haltOnStalled: number; reason: string } | null; evidence: Evidence | null;
}

/** n cluster ids whose wariness lies in [lo, hi). */
function idsIn(n: number, lo: number, hi: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const id = randomUUID();
    const w = warinessOf(id);
    if (w >= lo && w < hi) out.push(id);
  }
  return out;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

t.test('a rollout is paused by --halt-on-stalled once N clusters that saw its edge stalled, not before', { timeout: 180_000 }, async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);
  succeeds(t, kus('channel', 'create', CHANNEL));
  succeeds(t, kus('release', 'add', '--version', '4.9.0', '--arch', 'amd64', '--payload', payload(1), '--channel', CHANNEL));
  succeeds(t, kus('release', 'add', '--version', '4.9.1', '--arch', 'amd64', '--payload', payload(2), '--previous', '4.9.0', '--channel', CHANNEL));
  succeeds(t, kus('release', 'add', '--version', TARGET, '--arch', 'amd64', '--payload', payload(3), '--previous', '4.9.1', '--channel', CHANNEL));
  const started = succeeds(t, kus('rollout', 'start', CHANNEL, TARGET, '--duration', '7d', '--start-percentage', '50', '--halt-on-stalled', '3', '--json'));
  t.match(json(started), { state: 'active', haltOnStalled: 3, halted: null });
  const bad = kus('rollout', 'start', CHANNEL, '4.9.1', '--duration', '7d', '--halt-on-stalled', '0');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /^KUS_ERR_INVALID_ROLLOUT: --halt-on-stalled "0" is not a whole number of at least 1/);
  const { token } = json<{ token: string }>(succeeds(t, kus('token', 'create', '--name', 'ci', '--json')));

  const server = await serveChild(t, ['--db', db, '--fleet-flush', '1s', '--rollout-check-interval', '1s', '--rollout-silent-after', '3s']);
  const auth = { authorization: `Bearer ${token}` };
  const list = async (): Promise<Listed> => {
    const res = await fetch(`${server.url}/api/admin/v1/rollouts?channel=${CHANNEL}`, { headers: auth });
    return ((await res.json()) as { value: Listed[] }).value[0]!;
  };
  const metrics = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
  /** One poll as a cluster sends it; the versions it is offered. */
  const poll = async (id: string, version: string): Promise<string[]> => {
    const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=${CHANNEL}&arch=amd64&id=${id}&version=${version}`, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as { nodes: Array<{ version: string }>; edges: Array<[number, number]> };
    return body.edges.filter(([from]) => body.nodes[from]!.version === version).map(([, to]) => body.nodes[to]!.version);
  };

  // The fraction is 0.5 (+ a few seconds of 7 days): wariness below 0.45 sees the edge, above 0.55 does not.
  const [updaters, movers, silent, steady] = [idsIn(4, 0, 0.45), idsIn(2, 0, 0.45), idsIn(1, 0, 0.45), idsIn(2, 0, 0.45)];
  const unshown = idsIn(3, 0.55, 1);
  for (const id of [...updaters, ...movers, ...silent, ...steady]) t.same(await poll(id, '4.9.1'), [TARGET], 'under the fraction: offered the release');
  for (const id of unshown) t.same(await poll(id, '4.9.1'), [], 'above it: not offered');
  for (const id of updaters) await poll(id, TARGET);
  for (const id of movers) await poll(id, '4.9.0');
  // The steady clusters (and, for now, the one that will go silent) keep polling on the previous version.
  let alive = [...steady, ...silent];
  const keepAlive = setInterval(() => {
    for (const id of alive) void poll(id, '4.9.1').catch(() => undefined);
  }, 300);
  t.teardown(() => clearInterval(keepAlive));

  const before = await until('two stalled (the movers), in the list and in a check', async () => ({ listed: await list(), metrics: await metrics() }),
    ({ listed, metrics }) => listed.evidence?.updated === 4 && listed.evidence.stalled === 2 &&
      /kus_rollout_evidence\{channel="stable-4.9",version="4.9.2",kind="stalled"\} 2\n/.test(metrics));
  t.same(before.listed.evidence, { eligible: 12, sawEdge: 9, updated: 4, stalled: 2, stalledIds: [...movers].sort() },
    '12 ran 4.9.1 since the start, 9 were shown the edge, 4 updated, the 2 that went to 4.9.0 stalled');
  t.equal(before.listed.state, 'active', 'below N: still active after a check that saw 2');
  t.match(before.metrics, /# TYPE kus_rollout_halts_total counter\n/);
  t.notMatch(before.metrics, /\nkus_rollout_halts_total\{/, 'no halt counted');
  t.match(before.metrics, /kus_rollout_evidence\{channel="stable-4.9",version="4.9.2",kind="saw_edge"\} 9\n/);

  // One more stops polling: the unshown clusters were silent all along and never counted; this one does.
  alive = [...steady];
  const halted = await until('paused by the rule', list, (r) => r.state === 'paused', 60_000);
  t.match(halted, {
    state: 'paused', haltOnStalled: 3,
    halted: { stalled: 3, haltOnStalled: 3, reason: 'halt-on-stalled 3: 3 clusters stalled' },
    evidence: { stalled: 3, stalledIds: [...movers, ...silent].sort() },
  }, 'paused with how and why; the stalled ids named');
  t.ok(halted.fraction > 0.5 && halted.fraction < 0.51, `frozen where it was (${halted.fraction})`);

  const audit = await fetch(`${server.url}/api/admin/v1/audit?limit=20`, { headers: auth });
  const rows = ((await audit.json()) as { value: Array<{ actor: string; action: string; target: string; after: Record<string, unknown> }> }).value;
  const halt = rows.filter((r) => r.action === 'rollout.halt');
  t.equal(halt.length, 1, 'one halt audited');
  t.match(halt[0], {
    actor: 'rule:halt-on-stalled', target: `${CHANNEL}/${TARGET}`,
    after: { state: 'paused', haltOnStalled: 3, reason: 'halt-on-stalled 3: 3 clusters stalled', stalledIds: [...movers, ...silent].sort() },
  }, 'audited as an automatic halt, naming the count and the rule');
  const m = await until('the halt counted', metrics, (text) => /kus_rollout_halts_total\{channel="stable-4.9"\} 1\n/.test(text));
  t.match(m, /kus_rollout_evidence\{channel="stable-4.9",version="4.9.2",kind="stalled"\} 3\n/);
  t.match(m, /kus_rollout_evidence\{channel="stable-4.9",version="4.9.2",kind="updated"\} 4\n/);

  // The CLI over --server: the evidence columns and the halt, in the table and in --json.
  const admin = ['--server', server.url, '--token', token];
  const table = await runKusAsync(['rollout', 'list', ...admin]);
  t.equal(table.status, 0, table.stderr);
  const [header, row] = table.stdout.split('\n');
  t.match(header, /^CHANNEL\s+VERSION\s+STATE\s+FRACTION\s+START\s+FROM\s+DURATION\s+ELIGIBLE\s+SAW\s+UPDATED\s+STALLED\s+HALT AT$/);
  t.match(row, /^stable-4\.9\s+4\.9\.2\s+paused \(halted\)\s+50\.\d%\s+\S+\s+50%\s+7d\s+12\s+9\s+4\s+3\s+3$/);
  t.match(table.stdout, /\nstable-4\.9 4\.9\.2 halted at \S+: halt-on-stalled 3: 3 clusters stalled\n$/);
  const asJson = await runKusAsync(['rollout', 'list', '--json', ...admin]);
  t.equal(asJson.status, 0, asJson.stderr);
  t.match(JSON.parse(asJson.stdout), [{
    channel: CHANNEL, version: TARGET, state: 'paused', haltOnStalled: 3, halted: { stalled: 3, haltOnStalled: 3 },
    evidence: { eligible: 12, sawEdge: 9, updated: 4, stalled: 3 },
  }]);

  // Resumed by hand: active again, the halt kept as history; the same stalled clusters do not halt it again.
  clearInterval(keepAlive);
  const resumed = await runKusAsync(['rollout', 'resume', CHANNEL, TARGET, '--json', ...admin]);
  t.equal(resumed.status, 0, resumed.stderr);
  t.match(JSON.parse(resumed.stdout), { state: 'active', halted: { stalled: 3, haltOnStalled: 3 } });
  const checks = async (): Promise<number> => Number(/\nkus_rollout_checks_total (\d+)\n/.exec(await metrics())?.[1] ?? NaN);
  const after = await checks();
  await until('two more checks', checks, (n) => n >= after + 2);
  t.equal((await list()).state, 'active', 'not halted again by the clusters counted at the last halt');
});
