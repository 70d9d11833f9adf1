// Phased rollouts through real `kus serve` processes (issue 13): 10,000 random cluster ids poll a primary over a
// rollout whose start lies in the past, so each step has a known fraction without waiting. The share that sees the
// new edge matches the fraction; the sets are nested; pause holds; canaries see it at once; no id sees it only when
// complete; abort hides it from all while the node stays; a replica answers byte for byte as the primary; the
// rollout state survives kus export / kus import.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { warinessOf } from '../src/services/wariness.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot as root } from './helpers/shared-fixtures.js';
import { until } from './helpers/until.js';

const TOKEN = `kus_${'o'.repeat(43)}`;
const CHANNEL = 'stable-4.9';
const FROM = '4.9.21-kylinsec.1';
const NEW = '4.9.99-kylinsec.1';
const CLUSTERS = 10_000;
/** Long, so the fraction moves by under 1e-5 while 10,000 clusters poll (a few seconds). */
const DURATION_H = 1000;
const DURATION_MS = DURATION_H * 3_600_000;
const CONCURRENCY = 32;

// About 40,000 graph requests to separate processes: some 90 s on a quiet machine, several times that on a shared
// one; the file's bound says so rather than tap's default for one file.
t.setTimeout(900_000);

interface Graph {
  nodes: Array<{ version: string }>;
  edges: Array<[number, number]>;
  conditionalEdges: Array<{ edges: Array<{ from: string; to: string }> }>;
}

const seesNew = (g: Graph): boolean => {
  const i = g.nodes.findIndex((n) => n.version === NEW);
  return g.edges.some(([, to]) => to === i) || g.conditionalEdges.some((c) => c.edges.some((e) => e.to === NEW));
};
const hasNode = (g: Graph): boolean => g.nodes.some((n) => n.version === NEW);

const graphUrl = (base: string, id: string | undefined, version = FROM): string =>
  `${base}/api/upgrades_info/graph?channel=${CHANNEL}&arch=arm64&version=${version}${id === undefined ? '' : `&id=${id}`}`;

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

/** Which of the ids see the edge into NEW, each asking once (bodies parsed once per distinct text). */
async function poll(base: string, ids: readonly string[]): Promise<Set<string>> {
  const verdict = new Map<string, boolean>();
  const seen = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const text = await fetchText(graphUrl(base, id));
      let sees = verdict.get(text);
      if (sees === undefined) verdict.set(text, (sees = seesNew(JSON.parse(text) as Graph)));
      if (sees) seen.add(id);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return seen;
}

t.test('phased rollouts served to 10,000 simulated clusters', { timeout: 600_000 }, async (t) => {
  const dir = t.testdir({ 'admin-token': `${TOKEN}\n` });
  const db = path.join(dir, 'primary.db');
  const primary = await serveChild(t, ['--db', db, '--graph-data', path.join(root, 'graph-data'), '--admin-token-file', path.join(dir, 'admin-token')]);
  const admin = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: { value: unknown } & Record<string, unknown> }> => {
    const res = await fetch(`${primary.url}/api/admin/v1${url}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as { value: unknown } };
  };
  const fraction = async (): Promise<{ state: string; fraction: number }> => {
    const list = (await admin('GET', `/rollouts?channel=${CHANNEL}`)).json.value as Array<{ version: string; state: string; fraction: number }>;
    return list.find((r) => r.version === NEW)!;
  };
  /** Starts (again) with a start in the past that gives this fraction now. */
  const startAt = async (target: number, startPercentage = 0): Promise<void> => {
    const current = await fraction().catch(() => undefined);
    if (current && (current.state === 'active' || current.state === 'paused')) t.equal((await admin('POST', `/rollouts/${CHANNEL}/${NEW}/abort`)).status, 200);
    const p = startPercentage / 100;
    const start = new Date(Date.now() - ((target - p) / (1 - p)) * DURATION_MS).toISOString();
    const res = await admin('POST', '/rollouts', { channel: CHANNEL, version: NEW, duration: `${DURATION_H}h`, start, startPercentage });
    t.equal(res.status, 200, `started at ${start}: ${JSON.stringify(res.json)}`);
  };

  const added = await admin('POST', '/releases', {
    version: NEW, arch: 'arm64', payload: `registry.kylinsec.example/ocp/release@sha256:${'e'.repeat(64)}`, previous: [FROM], channels: [CHANNEL],
  });
  t.equal(added.status, 200, 'the new release is published with an edge from the old one');
  const ids = Array.from({ length: CLUSTERS }, () => randomUUID());
  t.equal((await poll(primary.url, ids.slice(0, 100))).size, 100, 'without a rollout everyone sees the new edge');

  const sets: Array<{ fraction: number; seen: Set<string> }> = [];
  for (const [target, startPercentage] of [[0.1, 0], [0.35, 0], [0.75, 50]] as const) {
    await t.test(`a rollout at ${target * 100}% (start in the past${startPercentage ? `, from ${startPercentage}%` : ''})`, async (t) => {
      await startAt(target, startPercentage);
      const before = (await fraction()).fraction;
      const seen = await poll(primary.url, ids);
      const after = (await fraction()).fraction;
      const share = seen.size / CLUSTERS;
      t.comment(`fraction ${before.toFixed(5)}..${after.toFixed(5)}, share that saw the new edge ${share.toFixed(4)}`);
      t.ok(Math.abs(share - before) <= 0.02, `share ${share} within ±2 points of the fraction ${before}`);
      // Stronger: exactly the clusters whose wariness is at most the fraction (the boundary may move by `after - before`).
      const wrong = ids.filter((id) => {
        const w = warinessOf(id);
        if (w > before && w <= after) return false;
        return seen.has(id) !== w <= before;
      });
      t.same(wrong, [], 'each cluster sees it exactly when its wariness is at most the fraction');
      sets.push({ fraction: before, seen });
    });
  }

  await t.test('nested: a cluster that saw it keeps seeing it as the fraction grows', async (t) => {
    for (let i = 1; i < sets.length; i++) {
      const lost = [...sets[i - 1]!.seen].filter((id) => !sets[i]!.seen.has(id));
      t.same(lost, [], `from ${sets[i - 1]!.fraction.toFixed(3)} to ${sets[i]!.fraction.toFixed(3)} no cluster lost it`);
    }
  });

  const sample = ids.slice(0, 1000);
  await t.test('paused stays put', async (t) => {
    const paused = await admin('POST', `/rollouts/${CHANNEL}/${NEW}/pause`);
    t.equal(paused.status, 200);
    const frozen = (paused.json.value as { fraction: number }).fraction;
    const first = await poll(primary.url, sample);
    await new Promise((r) => setTimeout(r, 1500));
    const second = await poll(primary.url, sample);
    t.same([...second].sort(), [...first].sort(), 'the same clusters see it later');
    t.equal((await fraction()).fraction, frozen, 'the fraction is frozen');
    t.same([...first].sort(), sample.filter((id) => warinessOf(id) <= frozen).sort(), 'the clusters at or under the frozen fraction');
  });

  const outsider = ids.find((id) => warinessOf(id) > 0.95)!;
  await t.test('canaries see it at once; no id only when completed', async (t) => {
    t.notOk(seesNew(JSON.parse(await fetchText(graphUrl(primary.url, outsider))) as Graph), 'a wary cluster does not see it');
    t.equal((await admin('POST', `/channels/${CHANNEL}/canaries/add`, { ids: [outsider.toUpperCase()] })).status, 200, 'made a canary (any case)');
    t.ok(seesNew(JSON.parse(await fetchText(graphUrl(primary.url, outsider))) as Graph), 'the canary sees it at once');
    const noId = JSON.parse(await fetchText(graphUrl(primary.url, undefined))) as Graph;
    t.notOk(seesNew(noId), 'a request without an id does not see it while the rollout runs');
    t.ok(hasNode(noId), 'but the node is there');
    t.notOk(seesNew(JSON.parse(await fetchText(graphUrl(primary.url, 'not-a-uuid'))) as Graph), 'nor with an id that is not a UUID');
  });

  await t.test('a replica serves the rollout byte for byte as the primary', async (t) => {
    t.equal((await admin('POST', `/rollouts/${CHANNEL}/${NEW}/resume`)).status, 200);
    const replica = await serveChild(t, ['--follow', primary.url, '--follow-interval', '1', '--db', path.join(dir, 'replica.db')]);
    const probe = [...sample.slice(0, 200), outsider];
    const same = async (): Promise<boolean> => {
      for (const id of probe) if ((await fetchText(graphUrl(replica.url, id)).catch(() => '')) !== (await fetchText(graphUrl(primary.url, id)))) return false;
      return true;
    };
    await until('replica agrees with the primary', 60_000, same);
    const bodies = new Set(await Promise.all(probe.map((id) => fetchText(graphUrl(replica.url, id)))));
    t.ok(bodies.size >= 2, `the replica serves ${bodies.size} different bodies over ${probe.length} clusters`);
    t.ok(await same(), `the same bytes for ${probe.length} clusters, a canary among them`);
    const res = await fetch(graphUrl(replica.url, outsider), { headers: { accept: 'application/json' } });
    t.equal(res.headers.get('etag'), (await fetch(graphUrl(primary.url, outsider), { headers: { accept: 'application/json' } })).headers.get('etag'), 'same ETag');
  });

  await t.test('export and import carry the rollout and the canaries', async (t) => {
    const out = path.join(dir, 'exported');
    const exported = runKus(['export', '--db', db, '--graph-data', out]);
    t.equal(exported.status, 0, exported.stderr);
    const copy = path.join(dir, 'copy.db');
    const imported = runKus(['import', '--db', copy, '--graph-data', out]);
    t.equal(imported.status, 0, imported.stderr);
    // The evidence is the fleet each store recorded (the copy recorded none), not the rollout: it is not exported.
    const list = (file: string): unknown => (JSON.parse(runKus(['rollout', 'list', '--json', '--db', file]).stdout) as Array<Record<string, unknown>>)
      .map(({ fraction: _f, evidence: _e, ...rest }) => rest);
    t.same(list(copy), list(db), 'the same rollouts');
    t.same(runKus(['channel', 'canaries', CHANNEL, '--db', copy, '--json']).stdout, runKus(['channel', 'canaries', CHANNEL, '--db', db, '--json']).stdout, 'the same canaries');
  });

  await t.test('completed: everyone sees it, requests without an id included', async (t) => {
    t.equal((await admin('POST', `/rollouts/${CHANNEL}/${NEW}/complete`)).status, 200);
    t.ok(seesNew(JSON.parse(await fetchText(graphUrl(primary.url, undefined))) as Graph), 'no id sees it');
    t.equal((await poll(primary.url, sample)).size, sample.length, 'every cluster sees it');
  });

  await t.test('aborted: hidden from all who do not run it; the node stays', async (t) => {
    t.equal((await admin('POST', `/rollouts/${CHANNEL}/${NEW}/abort`)).status, 200);
    t.equal((await poll(primary.url, sample)).size, 0, `none of ${sample.length} clusters sees the edge`);
    t.notOk(seesNew(JSON.parse(await fetchText(graphUrl(primary.url, outsider))) as Graph), 'nor the canary');
    const running = JSON.parse(await fetchText(graphUrl(primary.url, ids[0], NEW))) as Graph;
    t.ok(hasNode(running), 'a cluster running the release still finds itself');
    const audit = (await admin('GET', '/audit?limit=50')).json.value as Array<{ action: string }>;
    for (const action of ['rollout.start', 'rollout.pause', 'rollout.resume', 'rollout.complete', 'rollout.abort', 'channel.canaries.add']) {
      t.ok(audit.some((a) => a.action === action), `audited: ${action}`);
    }
  });
});
