// `npm run bench` (issue 9): at upstream scale, KUS's graph endpoint side by side with a bare node:http server and
// nginx sending the same bytes, KUS on Node 24 against the machine's node, publish-to-visible, graph latency and
// RSS while an admin publishes about once a second, on the primary and on a `kus serve --follow` replica, and the
// full rebuild. Servers run pinned to one CPU, wrk and this process to another.
//   npm run bench                      full run (about 6 minutes on an idle machine)
//   npm run bench -- --quick           smoke run (about 2 minutes on a quiet machine): shorter and fewer rounds
//   npm run bench -- --help            every option
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureConsole } from './console.js';
import { fixtureDataset, generatedDataset } from './datasets.js';
import { binNodeFlags, imageAllocatorEnv } from './kus.js';
import { runDataset } from './measure.js';
import { machineRuntime, node24Runtime } from './node24.js';
import { movePid, pinPlan } from './pin.js';
import { Children } from './processes.js';
import { checks, printDataset, TARGETS } from './report.js';
import { ensureAllocator, ensureTools } from './tools.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// [option, default, quick default, help]
const NUMBERS = [
  ['duration', 10, 2, 'seconds per measured wrk run'],
  ['warmup', 3, 1, 'seconds of unmeasured load per server before the rounds'],
  ['rounds', 3, 2, 'rounds of each server under graph load; figures are ranges over them'],
  ['together-rounds', 6, 2, 'rounds of KUS, node:http and a second node:http loaded at the same time (0 skips)'],
  ['fleet-pairs', 4, 1, 'pairs of fleet servers (recording, --no-fleet) measured one pair after the other'],
  ['fleet-crossover-rounds', 8, 2, 'rounds of two recording servers loaded together, one polled with cluster ids, the other without, swapped each round (0 skips)'],
  ['publish-rounds', 3, 1, 'rounds of each publishing section (primary, replica)'],
  ['connections', 32, 32, 'wrk connections'],
  ['threads', 1, 1, 'wrk threads'],
  ['rebuilds', 10, 2, 'measured in-process rebuilds (after up to 2 warm-up ones); 0 skips'],
  ['idle-seconds', 5, 2, 'graph load before each publishing round (idle latency and RSS)'],
  ['publish-seconds', 15, 4, 'graph load while publishing, per round'],
  ['quiet-publishes', 5, 2, 'publishes one at a time on an unloaded primary, per round (publish-to-visible)'],
  ['publish-every-ms', 1000, 1000, 'interval between publishes under load (the next waits for the previous answer)'],
  ['rest-seconds', 70, 0, 'quiet seconds after a publishing section before its server\'s RSS is read again (a build worker gives back its free memory a minute after its last request); 0 skips'],
  ['follow-interval', 1, 1, 'the replica\'s --follow-interval in seconds'],
];
const { values: opts } = parseArgs({
  options: {
    ...Object.fromEntries(NUMBERS.map(([name]) => [name, { type: 'string' }])),
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'generated' }, // generated, fixture or all
    request: { type: 'string' }, // CHANNEL/ARCH or heaviest; default: the dataset's (stable-4.18/amd64 for generated)
    seed: { type: 'string', default: '20260101' },
    'no-pin': { type: 'boolean', default: false },
    'skip-node24': { type: 'boolean', default: false },
    'skip-publishing': { type: 'boolean', default: false },
    'skip-replica': { type: 'boolean', default: false },
    'skip-signed-replica': { type: 'boolean', default: false },
    'skip-fleet': { type: 'boolean', default: false },
    // Both fleet servers --no-fleet: the fleet comparison's own bias, to read its result against (bench/fleet.js).
    'fleet-control': { type: 'boolean', default: false },
    'skip-rollouts': { type: 'boolean', default: false },
    'skip-console': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false }, // keep the temp dir (stores, logs, nginx config)
    profile: { type: 'boolean', default: false }, // run the server with --cpu-prof into bench/out/profiles/
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: npm run bench -- [--quick] [--only generated|fixture|all] [--request CHANNEL/ARCH|heaviest] [--no-pin]\n' +
    '  [--skip-node24] [--skip-publishing] [--skip-replica] [--skip-signed-replica] [--skip-fleet] [--fleet-control] [--skip-rollouts] [--skip-console] [--keep] [--profile] [--seed N]\n' +
    '  graph endpoint only (KUS vs node:http on Node 20 and 24, nginx): --skip-publishing --skip-fleet --skip-rollouts --skip-console --rebuilds 0');
  for (const [name, full, quick, help] of NUMBERS) console.log(`  --${name} N`.padEnd(24) + `${help} (default ${full}, --quick ${quick})`);
  process.exit(0);
}
const num = (name, full, quick) => {
  const text = opts[name] ?? String(opts.quick ? quick : full);
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !['rebuilds', 'fleet-crossover-rounds', 'together-rounds', 'rest-seconds'].includes(name))) throw new Error(`--${name} must be a positive number (got '${text}')`);
  return n;
};
const n = Object.fromEntries(NUMBERS.map(([name, full, quick]) => [name, num(name, full, quick)]));
const settings = {
  load: { threads: n.threads, connections: n.connections, seconds: n.duration, rounds: n.rounds },
  warmup: n.warmup,
  rebuilds: n.rebuilds,
  keep: opts.keep,
  profile: opts.profile,
  request: opts.request,
  publishing: opts['skip-publishing'] ? null : {
    rounds: n['publish-rounds'], idleSeconds: n['idle-seconds'], publishSeconds: n['publish-seconds'], quietPublishes: n['quiet-publishes'], publishEveryMs: n['publish-every-ms'], restSeconds: n['rest-seconds'],
  },
  replica: opts['skip-publishing'] || opts['skip-replica'] ? null : { followIntervalSeconds: n['follow-interval'] },
  // Sync time of an unloaded replica, the store unsigned and with a signature per release (signing takes ~25 s).
  signedReplica: !(opts['skip-publishing'] || opts['skip-replica'] || opts['skip-signed-replica']),
  fleet: !opts['skip-fleet'],
  fleetPairs: n['fleet-pairs'],
  fleetCrossoverRounds: n['fleet-crossover-rounds'],
  togetherRounds: n['together-rounds'],
  fleetControl: opts['fleet-control'],
  rollouts: !opts['skip-rollouts'],
};

function selectDatasets(work) {
  const wanted = (name) => opts.only === 'all' || opts.only === name;
  if (!['all', 'fixture', 'generated'].includes(opts.only)) throw new Error(`--only ${opts.only}: no such dataset (generated, fixture, all)`);
  const datasets = [];
  if (wanted('fixture')) {
    const fixture = fixtureDataset(repoRoot);
    if (fixture.skipped) console.log(`SKIP fixture dataset: ${fixture.skipped}`);
    else datasets.push(fixture);
  }
  if (wanted('generated')) datasets.push(generatedDataset(path.join(work, 'generated'), Number(opts.seed)));
  return datasets;
}

async function main(children, work) {
  const started = Date.now();
  const tools = ensureTools();
  const pin = pinPlan(!opts['no-pin']);
  // This process polls and publishes during the measurements: keep it off the server's CPU too.
  if (pin) movePid(process.pid, pin.load);
  const runtimes = { machine: machineRuntime(), node24: null };
  if (!opts['skip-node24']) {
    runtimes.node24 = node24Runtime(repoRoot);
    if (runtimes.node24.skipped) console.log(`SKIP Node 24: ${runtimes.node24.skipped}`);
  }
  console.log(`${runtimes.machine.label}${runtimes.node24?.execPath ? ` and ${runtimes.node24.label}` : ''}; ${tools.nginx.version} (${tools.nginx.path}); ${tools.wrk.version} (${tools.wrk.path})`);
  console.log(`host: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}` +
    (os.loadavg()[0] > 1 ? ' — other work shares this machine: read the ranges, not single figures' : ''));
  console.log(pin ? `pinned: servers on CPU ${pin.server}; wrk, this process and the replica's primary on CPU ${pin.load}` : 'NOT pinned (--no-pin)');
  const allocator = ensureAllocator(imageAllocatorEnv(repoRoot));
  console.log(`KUS runs as its bin does, with the image's allocator: ${allocator ? `LD_PRELOAD=${allocator.preload} MALLOC_CONF=${allocator.conf} ` : ''}node ${binNodeFlags(repoRoot).join(' ')} dist/cli/main.js serve`);
  const results = {
    startedAt: new Date(started).toISOString(), node: process.version, node24: runtimes.node24?.version ?? null, tools, allocator, cpus: os.cpus().length,
    loadAverageAtStart: os.loadavg(), pinned: pin, settings, targets: TARGETS, datasets: [],
  };
  for (const dataset of selectDatasets(work)) {
    const result = await runDataset({ children, tools, work, repoRoot, settings, pin, runtimes }, dataset);
    results.datasets.push({ ...result, checks: checks(result) });
  }
  let failed = 0;
  for (const result of results.datasets) failed += Object.values(printDataset(result)).filter((x) => x.pass === false).length;
  if (opts['skip-console']) console.log('\n[console] SKIP (--skip-console)');
  else failed += (results.console = await measureConsole({ children, repoRoot, work, seed: Number(opts.seed) })).failed;
  const out = path.join(repoRoot, 'bench', 'out');
  fs.mkdirSync(out, { recursive: true });
  results.loadAverageAtEnd = os.loadavg();
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ ...results, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
    `${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}; figures in bench/out/results.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return failed === 0 ? 0 : 1;
}

// Directly under the temp dir and traversable: nginx workers run as 'nobody' when started by root and must reach
// their body file inside it (the dataset dirs holding the stores stay private).
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kus-bench-'));
fs.chmodSync(work, 0o755);
const children = new Children();
const cleanUp = () => {
  children.killAllNow();
  if (settings.keep) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
};
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
// A hard upper bound, whatever hangs: set-up (Node 24's first build, import, replica's first sync) plus the load.
const p = settings.publishing;
const servers = 4 + (settings.fleet ? 2 * settings.fleetPairs : 0) + (settings.rollouts ? 2 : 0);
const loadSeconds = servers * (settings.warmup + settings.load.rounds * settings.load.seconds) +
  (p ? 2 * p.rounds * (p.idleSeconds + p.publishSeconds + p.quietPublishes * 5) + 3 * p.restSeconds : 0) + settings.rebuilds * 5;
const limitMs = (600 + 3 * loadSeconds) * 1000;
setTimeout(() => {
  console.error(`bench: still running after ${limitMs / 1000} s; stopping`);
  process.exit(1);
}, limitMs).unref();

main(children, work).then(
  async (code) => { await children.stopAll(); process.exitCode = code; },
  async (err) => { console.error(`bench failed: ${err.stack ?? err}`); await children.stopAll(); process.exitCode = 1; },
);
