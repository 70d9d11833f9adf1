// Times a full graph rebuild with the built modules (GraphCache.rebuild() on the imported store), in a child node
// started with the bin's flags, so that the heap is sized as in `kus serve`.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { binNodeFlags } from './kus.js';
import { onCpu } from './pin.js';
import { runToEnd } from './processes.js';

const silent = { info() {}, warn() {}, error() {} };
const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { minMs: sorted[0], medianMs: sorted[Math.floor((sorted.length - 1) / 2)], maxMs: sorted[sorted.length - 1] };
};

/** Runs measureRebuildHere in a child started as the bin starts (see binNodeFlags), on `cpu` (pinned unless null). */
export async function measureRebuild({ repoRoot, db, runs, warmup, cpu = null }) {
  const script = fileURLToPath(import.meta.url);
  const pinned = onCpu(cpu, process.execPath, [...binNodeFlags(repoRoot), script, repoRoot, db, String(runs), String(warmup)]);
  const { stdout } = await runToEnd(pinned.command, pinned.args, { timeoutMs: 600_000 });
  return JSON.parse(stdout);
}

/**
 * `warmup` unmeasured rebuilds, then `runs` measured ones, each the server's whole rebuild (store read, build,
 * render of every (channel, arch) body). Then the same work split into its phases, to show where the time goes.
 */
async function measureRebuildHere({ repoRoot, db, runs, warmup }) {
  const dist = (file) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
  const { openStore } = await dist('store/index.js');
  const { GraphCache } = await dist('services/graph-cache.js');
  const { buildGraph, GraphViews, serializeServed } = await dist('graph/index.js');
  const store = openStore(db);
  try {
    const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silent });
    const times = [];
    const cpu = [];
    for (let i = 0; i < warmup + runs; i++) {
      // CPU time as well as wall time: on a shared machine it is the steadier of the two.
      const before = process.cpuUsage();
      const result = cache.rebuild();
      const used = process.cpuUsage(before);
      if (!result.ok) throw new Error(`rebuild failed: ${result.error?.stack ?? result.error}`);
      if (i >= warmup) {
        times.push(result.durationMs);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    const snapshot = cache.snapshot;
    let bodies = 0;
    for (const byChannel of snapshot.bodies.values()) bodies += byChannel.size;

    const phases = { loadMs: [], buildMs: [], renderMs: [] };
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const input = store.loadGraphInput();
      const t1 = performance.now();
      const { graph } = buildGraph(input);
      const t2 = performance.now();
      const views = new GraphViews(graph);
      for (const arch of views.arches()) for (const channel of views.channels()) serializeServed(views.render(channel, arch));
      const t3 = performance.now();
      phases.loadMs.push(t1 - t0);
      phases.buildMs.push(t2 - t1);
      phases.renderMs.push(t3 - t2);
    }
    return {
      runs, warmup, ...stats(times), cpuMedianMs: stats(cpu).medianMs, releases: snapshot.releases, bodies,
      phasesMedianMs: Object.fromEntries(Object.entries(phases).map(([k, xs]) => [k, stats(xs).medianMs])),
    };
  } finally {
    store.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [repoRoot, db, runs, warmup] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await measureRebuildHere({ repoRoot, db, runs: Number(runs), warmup: Number(warmup) }))}\n`);
}
