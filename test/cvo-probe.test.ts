// The cluster's view of the example data: cvo-probe (a Go client that parses the graph like the CVO) queries a real
// `kus serve` for every channel, arch and node, and must see exactly the updates the engine computes in-process.
import t, { type Test as Tap } from 'tap';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGraph, GraphViews, serializeServed, type ServedGraph } from '../src/graph/index.js';
import { readGraphData } from '../src/graph-data/index.js';
import { probeBinary } from './helpers/signing.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared');
const graphDataDir = path.join(repoRoot, 'graph-data');
const cli = path.join(repoRoot, 'dist/cli/main.js');
const PROBE_CONCURRENCY = 4;

/** The probe's `graph` output (cvo-probe README): the cluster's current release and what it would offer. */
interface ProbeRelease {
  version: string;
  payload: string;
  channels: string[];
}
interface ProbeOutput {
  current: ProbeRelease;
  updates: ProbeRelease[];
  conditionalUpdates: Array<{ release: ProbeRelease; risks: string[] }>;
}
interface ProbeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}
interface Expected {
  updates: string[];
  conditional: Array<{ version: string; risks: string[] }>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `kus serve` on a free port with a fresh store seeded from the example graph-data; stopped at teardown. */
async function startServer(t: Tap, tmp: string): Promise<string> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', String(port),
    '--db', path.join(tmp, 'kus.db'), '--graph-data', graphDataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
  await waitReady(base, child, () => stderr);
  return `${base}/api/upgrades_info/v1/graph`;
}

/** Polls /readyz until 200; fails early with the server's stderr if it exits. */
async function waitReady(base: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kus serve exited with ${child.exitCode}: ${stderr()}`);
    const status = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kus serve was not ready within 30 s: ${stderr()}`);
}

function runProbe(probe: string, args: string[]): Promise<ProbeRun> {
  return new Promise((resolve) => {
    execFile(probe, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs tasks with at most `limit` in flight, results in input order. */
async function limited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** What a cluster on `version` should be offered: unconditional targets that are not also conditional, and risks. */
function expectedFrom(view: ServedGraph, version: string): Expected {
  const conditional = new Map<string, string[]>();
  for (const group of view.conditionalEdges) {
    for (const edge of group.edges) {
      if (edge.from === version) conditional.set(edge.to, [...(conditional.get(edge.to) ?? []), ...group.risks.map((r) => r.name)]);
    }
  }
  const index = view.nodes.findIndex((n) => n.version === version);
  const updates = view.edges
    .filter(([from]) => from === index)
    .map(([, to]) => view.nodes[to]!.version)
    .filter((v) => !conditional.has(v));
  return {
    updates: updates.sort(),
    conditional: [...conditional].map(([v, risks]) => ({ version: v, risks })).sort((a, b) => (a.version < b.version ? -1 : 1)),
  };
}

function observed(out: ProbeOutput): Expected {
  return {
    updates: out.updates.map((u) => u.version).sort(),
    conditional: out.conditionalUpdates
      .map((c) => ({ version: c.release.version, risks: c.risks }))
      .sort((a, b) => (a.version < b.version ? -1 : 1)),
  };
}

if (!existsSync(path.join(shared, 'cvo-probe'))) {
  t.test('cvo-probe against kus serve', { skip: `${shared} is absent: the cluster-side client cannot be built` }, async () => {});
} else {
  t.test('cvo-probe sees exactly the engine graph for every channel, arch and node', async (t) => {
    t.ok(existsSync(cli), `${cli} exists (run "npm run build" first)`);
    if (!existsSync(cli)) return;
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kus-cvo-probe-'));
    t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
    const probe = probeBinary();

    // The expected graph, computed in-process from the same directory the server is seeded from.
    const read = readGraphData(graphDataDir, { strict: true });
    t.same(read.problems, [], 'the example graph-data reads without problems in strict mode');
    const { graph, warnings } = buildGraph({ releases: read.releases, graphData: read.data });
    t.same(warnings, [], 'the example graph builds without warnings');
    const views = new GraphViews(graph);

    const upstream = await startServer(t, tmp);

    const cases: Array<{ channel: string; arch: string; version: string; payload: string; expected: Expected }> = [];
    for (const channel of views.channels()) {
      for (const arch of views.arches()) {
        const view = views.render(channel, arch);
        const res = await fetch(`${upstream}?channel=${channel}&arch=${arch}`, { headers: { accept: 'application/json' } });
        t.equal(res.status, 200, `${channel}/${arch}: 200`);
        t.same(await res.json(), JSON.parse(serializeServed(view)), `${channel}/${arch}: the server serves the engine's graph`);
        for (const node of view.nodes) {
          cases.push({ channel, arch, version: node.version, payload: node.payload, expected: expectedFrom(view, node.version) });
        }
      }
    }
    t.ok(cases.length >= 20, `probing ${cases.length} (channel, arch, node) combinations`);
    t.ok(cases.some((c) => c.expected.conditional.length > 0), 'the example data has conditional updates to check');

    const runs = await limited(cases, PROBE_CONCURRENCY, (c) =>
      runProbe(probe, ['graph', '--upstream', upstream, '--channel', c.channel, '--arch', c.arch, '--version', c.version, '--strict']));
    for (const [i, c] of cases.entries()) {
      const run = runs[i]!;
      const what = `${c.channel}/${c.arch} from ${c.version}`;
      t.equal(run.code, 0, `${what}: probe exits 0`, { stderr: run.stderr, stdout: run.stdout });
      if (run.code !== 0) continue;
      const out = JSON.parse(run.stdout) as ProbeOutput;
      t.equal(out.current.payload, c.payload, `${what}: current payload`);
      t.ok(out.current.channels.includes(c.channel), `${what}: current release lists the channel`);
      t.same(observed(out), c.expected, `${what}: updates and conditional updates match the engine`);
    }
  });

  t.test('a channel with a conditional edge yields a conditional update with the PromQL risk', async (t) => {
    t.ok(existsSync(cli), `${cli} exists (run "npm run build" first)`);
    if (!existsSync(cli)) return;
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kus-cvo-probe-'));
    t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
    const probe = probeBinary();
    const upstream = await startServer(t, tmp);

    const run = await runProbe(probe, ['graph', '--upstream', upstream, '--channel', 'stable-4.9', '--arch', 'arm64',
      '--version', '4.9.15-kylinsec.2', '--strict']);
    t.equal(run.code, 0, 'probe exits 0', { stderr: run.stderr });
    const out = JSON.parse(run.stdout) as ProbeOutput;
    t.same(out.conditionalUpdates.map((c) => [c.release.version, c.risks]),
      [['4.9.21-kylinsec.1', ['InsightsOperatorDegradedDisconnected']]], 'the update to 4.9.21-kylinsec.1 is conditional');
    t.notOk(out.updates.some((u) => u.version === '4.9.21-kylinsec.1'), 'and not also offered unconditionally');

    const res = await fetch(`${upstream}?channel=stable-4.9&arch=arm64`, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as ServedGraph;
    const risk = body.conditionalEdges.flatMap((g) => g.risks).find((r) => r.name === 'InsightsOperatorDegradedDisconnected');
    t.equal(risk?.matchingRules[0]?.type, 'PromQL', 'the risk is evaluated with PromQL');
    t.match(risk?.matchingRules[0]?.promql?.promql ?? '', /cluster_operator_conditions\{[^}]*name="insights"[\s\S]*\bor\b\s*0 \* group\(/,
      'on the insights cluster operator, with a 0 fallback');
  });
}
