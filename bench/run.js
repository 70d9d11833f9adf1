// `npm run bench`: KUS's graph endpoint against nginx serving the same bytes, plus rebuild time and memory (issue 2 §8).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureConsole } from './console.js';
import { fixtureDataset, generatedDataset } from './datasets.js';
import { binNodeFlags } from './kus.js';
import { runDataset } from './measure.js';
import { Children } from './processes.js';
import { measurePublish, printPublish, publishDatasets } from './publish.js';
import { checks, printDataset, TARGETS } from './report.js';
import { ensureTools } from './tools.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' }, // seconds per measured wrk run
    warmup: { type: 'string', default: '3' }, // seconds of unmeasured load per server before the rounds
    rounds: { type: 'string', default: '3' }, // alternating KUS / nginx / node:http rounds; the median is reported
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    rebuilds: { type: 'string', default: '10' }, // measured in-process rebuilds after 2 warm-up ones
    only: { type: 'string' }, // 'fixture' or 'generated'
    seed: { type: 'string', default: '20260101' },
    'skip-nginx-auto': { type: 'boolean', default: false }, // skip the informational nginx run with worker_processes auto
    keep: { type: 'boolean', default: false }, // keep the temp dir (stores, logs, nginx config)
    profile: { type: 'boolean', default: false }, // run the server with --cpu-prof into bench/out/profiles/
    publish: { type: 'string', default: '100' }, // publishes measured per dataset (publish-to-visible); 0 skips the section
  },
});
const num = (name) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got '${opts[name]}')`);
  return n;
};
const settings = {
  load: { threads: num('threads'), connections: num('connections'), seconds: num('duration'), rounds: num('rounds') },
  warmup: num('warmup'),
  rebuilds: num('rebuilds'),
  keep: opts.keep,
  profile: opts.profile,
  nginxAuto: !opts['skip-nginx-auto'],
  publish: opts.publish === '0' ? 0 : num('publish'),
};

function selectDatasets(work) {
  const wanted = (name) => !opts.only || opts.only === name;
  const datasets = [];
  if (wanted('fixture')) {
    const fixture = fixtureDataset(repoRoot);
    if (fixture.skipped) console.log(`SKIP fixture dataset: ${fixture.skipped}`);
    else datasets.push(fixture);
  }
  if (wanted('generated')) datasets.push(generatedDataset(path.join(work, 'generated'), Number(opts.seed)));
  if (datasets.length === 0) throw new Error(`--only ${opts.only}: no such dataset (fixture, generated)`);
  return datasets;
}

async function main(children, work) {
  const started = Date.now();
  const tools = ensureTools();
  console.log(`node ${process.version}; ${tools.nginx.version} (${tools.nginx.path}); ${tools.wrk.version} (${tools.wrk.path})`);
  console.log(`host: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('nginx runs with worker_processes 1 to match KUS\'s single event loop; "nginx auto" is shown for information.');
  console.log(`KUS runs as its bin does: node ${binNodeFlags(repoRoot).join(' ')} dist/cli/main.js serve`);
  const results = { startedAt: new Date(started).toISOString(), node: process.version, tools, cpus: os.cpus().length, loadAverage: os.loadavg(), targets: TARGETS, datasets: [] };
  const selected = selectDatasets(work);
  for (const dataset of selected) {
    const result = await runDataset({ children, tools, work, repoRoot, settings }, dataset);
    results.datasets.push({ ...result, checks: checks(result) });
  }
  // Publish-to-visible (issue 3) on the example data and on the generated dataset when it was measured above.
  results.publish = [];
  if (settings.publish > 0) {
    const generated = selected.filter((d) => d.name === 'generated');
    for (const dataset of [...publishDatasets(['example'], work, Number(opts.seed)), ...generated]) {
      results.publish.push(await measurePublish({ children, repoRoot, work, count: settings.publish }, dataset));
    }
  }
  let failed = 0;
  for (const result of results.datasets) {
    failed += Object.values(printDataset(result)).filter((x) => x.pass === false).length;
  }
  for (const result of results.publish) printPublish(result);
  failed += (results.console = await measureConsole({ children, repoRoot, work, seed: Number(opts.seed) })).failed;
  const out = path.join(repoRoot, 'bench', 'out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ ...results, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\n${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}; figures in bench/out/results.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
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
// A hard upper bound, whatever hangs: the run takes about 4 minutes with the defaults.
const { seconds, rounds } = settings.load;
const limitMs = (60 + 2 * (4 * settings.warmup + (3 * rounds + 1) * seconds + 120) + settings.publish * 3) * 1000;
setTimeout(() => {
  console.error(`bench: still running after ${limitMs / 1000} s; stopping`);
  process.exit(1);
}, limitMs).unref();

main(children, work).then(
  async (code) => { await children.stopAll(); process.exitCode = code; },
  async (err) => { console.error(`bench failed: ${err.stack ?? err}`); await children.stopAll(); process.exitCode = 1; },
);
