// Publishing through a real `kus serve` child with --server/--token: promotion candidate → fast → stable, edges,
// removal; every change is in the served graph when the command returns, and audited under the token's name.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { digest, json, payload } from './helpers/cli-local.js';
import { edgePairs, serverWithToken, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

t.test('promotion candidate → fast → stable through the server, visible in each channel as the command returns', async (t) => {
  const { db, server, kus } = await serverWithToken(t);
  for (const c of ['candidate-5.0', 'fast-5.0', 'stable-5.0']) {
    const r = kus('channel', 'create', c);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, new RegExp(`^created channel ${c.replace(/[.]/g, '[.]')} in server "${server.url}"`));
  }
  let r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1), '--channel', 'candidate-5.0');
  t.equal(r.status, 0, r.stderr);
  r = kus('release', 'add', '--version', '5.0.1', '--arch', 'arm64', '--payload', payload(2), '--previous', '5.0.0', '--channel', 'candidate-5.0', '--json');
  t.equal(r.status, 0, r.stderr);
  t.match(json(r), { version: '5.0.1', arch: 'arm64', payload: payload(2) });

  let candidate = await servedGraph(server.url, 'candidate-5.0');
  t.same(candidate.nodes.map((n) => n.version).sort(), ['5.0.0', '5.0.1'], 'both releases are served in candidate');
  t.same(edgePairs(candidate), ['5.0.0 -> 5.0.1']);
  t.same((await servedGraph(server.url, 'fast-5.0')).nodes, [], 'fast is still empty');

  for (const [channel, next] of [['fast-5.0', 'stable-5.0'], ['stable-5.0', undefined]] as const) {
    for (const v of ['5.0.0', '5.0.1']) {
      r = kus('channel', 'add', channel, v);
      t.equal(r.status, 0, r.stderr);
      t.match(r.stdout, `added ${v} to channel ${channel}`);
    }
    const g = await servedGraph(server.url, channel);
    t.same(g.nodes.map((n) => n.version).sort(), ['5.0.0', '5.0.1'], `promoted to ${channel}`);
    t.same(edgePairs(g), ['5.0.0 -> 5.0.1']);
    if (next) t.same((await servedGraph(server.url, next)).nodes, [], `${next} not yet`);
  }

  // Blocking and unblocking an edge, and a risk, are visible at once too.
  r = kus('edge', 'block', '--to', '5.0.1', '--from-version', '5.0.0', '--json');
  t.equal(r.status, 0, r.stderr);
  const blocked = json<{ file: string }>(r);
  t.same(edgePairs(await servedGraph(server.url, 'stable-5.0')), [], 'the blocked edge is gone');
  r = kus('edge', 'remove', blocked.file);
  t.equal(r.status, 0, r.stderr);
  t.same(edgePairs(await servedGraph(server.url, 'stable-5.0')), ['5.0.0 -> 5.0.1'], 'and back after edge remove');
  r = kus('edge', 'risk', '--to', '5.0.1', '--from-version', '5.0.0', '--url', 'https://docs.kylinsec.example/risk', '--name', 'EtcdDefragRequired',
    '--message', 'Defragment etcd first.', '--always');
  t.equal(r.status, 0, r.stderr);
  const risky = await servedGraph(server.url, 'stable-5.0');
  t.same(edgePairs(risky), [], 'a conditional edge is not an unconditional one');
  t.match(risky.conditionalEdges, [{ edges: [{ from: '5.0.0', to: '5.0.1' }], risks: [{ name: 'EtcdDefragRequired' }] }]);

  // Removing from a channel and removing a release.
  r = kus('channel', 'remove', 'candidate-5.0', '5.0.1');
  t.equal(r.status, 0, r.stderr);
  candidate = await servedGraph(server.url, 'candidate-5.0');
  t.same(candidate.nodes.map((n) => n.version), ['5.0.0']);
  r = kus('release', 'remove', '5.0.1', '--arch', 'arm64');
  t.equal(r.status, 1, 'fast and stable still list it');
  t.match(r.stderr, /^KUS_ERR_CONFLICT: /);
  r = kus('release', 'remove', '5.0.1', '--arch', 'arm64', '--force');
  t.equal(r.status, 0, r.stderr);
  t.same((await servedGraph(server.url, 'stable-5.0')).nodes.map((n) => n.version), ['5.0.0'], 'the removed release left the graph');

  // Reads through the server.
  t.same(json<Array<{ version: string }>>(kus('release', 'list', '--channel', 'fast-5.0', '--json')).map((x) => x.version), ['5.0.0']);
  t.match(kus('release', 'show', '5.0.0', '--arch', 'arm64').stdout, `digest:   ${digest(1)}`);
  t.match(json<Array<{ name: string; versions: string[] }>>(kus('channel', 'list', '--json')).find((c) => c.name === 'fast-5.0'), { versions: ['5.0.0'] });
  t.match(kus('edge', 'list').stdout, /EtcdDefragRequired\s+Always/);

  // The server wrote the store, and the audit log names the token.
  r = kus('audit', '--limit', '500', '--json');
  t.equal(r.status, 0, r.stderr);
  const audit = json<Array<{ actor: string; action: string; outcome: string; error: { code: string } | null }>>(r);
  t.ok(audit.length >= 10, `${audit.length} audit entries`);
  const others = audit.filter((e) => e.actor !== 'ci').map((e) => `${e.actor} ${e.action}`);
  t.same(others.filter((o) => !/^(seed|local:\S+ token\.create)/.test(o)), [], 'besides seeding and the first token, every write is by token ci');
  t.ok(audit.some((e) => e.actor === 'ci' && e.outcome === 'refused' && e.error?.code === 'KUS_ERR_CONFLICT'), 'the refused remove is audited');
  t.match(kus('audit', '--limit', '3').stdout, /^AT\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\n\S+\s+ci\s+/);
  await server.stop();
  const store = openStore(db);
  t.teardown(() => store.close());
  t.same(store.channels.list().find((c) => c.name === 'stable-5.0')?.versions, ['5.0.0'], 'the store holds what the server wrote');
});
