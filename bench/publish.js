// Publish-to-visible (issue 3): a `kus serve` on a temp store, an admin token, then N times POST a new release into a
// channel and poll the served graph until it shows it. Prints p50/p99/max in ms. Run alone (`npm run build` first):
//   node bench/publish.js [--count 200] [--dataset example|generated|both]
// or as a section of bench/run.js.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generatedDataset } from './datasets.js';
import { freePort, getRaw } from './http.js';
import { GRAPH_PATH, importDataset, startKus } from './kus.js';
import { Children } from './processes.js';
import { summary } from './stats.js';

export const ADMIN = '/api/admin/v1';
const CHANNEL = 'bench-publish-1';

/** One JSON request with a keep-alive agent, so connection set-up is not counted. */
export function requestJson(agent, base, method, url, token, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${base}${url}`, {
      method,
      agent,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

const ms = (x) => `${x.toFixed(1)} ms`;

/** Makes the token the way `kus token create --db` does: through the Tokens service on the store file. */
export async function createToken(repoRoot, db) {
  const dist = path.join(repoRoot, 'dist');
  if (!fs.existsSync(path.join(dist, 'services', 'tokens.js'))) throw new Error('dist/ is missing or stale: run "npm run build" first');
  const { openStore } = await import(pathToFileURL(path.join(dist, 'store', 'index.js')).href);
  const { Tokens } = await import(pathToFileURL(path.join(dist, 'services', 'tokens.js')).href);
  const store = openStore(db);
  try {
    return new Tokens({ store }).create({ name: 'bench' }, 'bench').token;
  } finally {
    store.close();
  }
}

/**
 * One dataset: serve it, then `count` times publish release 99.0.i (previous 99.0.i-1) into CHANNEL and poll the
 * graph until it is listed. Returns the figures. `ctx` = { children, repoRoot, work, count }.
 */
export async function measurePublish(ctx, dataset) {
  const { children, repoRoot, work, count } = ctx;
  const dir = fs.mkdtempSync(path.join(work, `publish-${dataset.name}-`));
  const db = path.join(dir, 'kus.db');
  if (dataset.graphData) await importDataset({ repoRoot, db, graphData: dataset.graphData, raw: dataset.raw });
  const token = await createToken(repoRoot, db);
  const kus = await startKus({ children, repoRoot, db, port: await freePort(), logFile: path.join(dir, 'kus.log') });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const created = await requestJson(agent, kus.base, 'POST', `${ADMIN}/channels`, token, { name: CHANNEL });
    if (created.status !== 200) throw new Error(`creating the channel: ${created.status} ${created.body}`);
    const releases = JSON.parse((await requestJson(agent, kus.base, 'GET', `${ADMIN}/releases`, token)).body).value.length;
    const graphUrl = `${kus.base}${GRAPH_PATH}?channel=${CHANNEL}&arch=amd64`;
    const visible = [];
    const answered = [];
    let extraPolls = 0;
    for (let i = 0; i < count; i++) {
      const version = `99.0.${i}`;
      const body = benchRelease(i, CHANNEL);
      const started = performance.now();
      const res = await requestJson(agent, kus.base, 'POST', `${ADMIN}/releases`, token, body);
      const answeredAt = performance.now();
      if (res.status !== 200) throw new Error(`POST /releases ${version}: ${res.status} ${res.body}`);
      // The write promises visibility when it answers: poll until seen anyway, and count polls beyond the first.
      for (let polls = 0; ; polls++) {
        const graph = await getRaw(graphUrl, { Accept: 'application/json' });
        if (graph.status === 200 && JSON.parse(graph.body.toString()).nodes.some((n) => n.version === version)) break;
        if (polls > 1000) throw new Error(`${version} not in ${graphUrl} after 1000 polls`);
        extraPolls++;
      }
      visible.push(performance.now() - started);
      answered.push(answeredAt - started);
    }
    return { dataset: dataset.name, description: dataset.description, storedReleases: releases, count, publishToVisibleMs: summary(visible), responseMs: summary(answered), extraPolls };
  } finally {
    agent.destroy();
    await children.stop(kus.child);
  }
}

export function printPublish(result) {
  const v = result.publishToVisibleMs;
  const r = result.responseMs;
  console.log(`\n[publish ${result.dataset}] ${result.description}; ${result.storedReleases} releases stored, ${result.count} publishes`);
  console.log(`[publish ${result.dataset}] publish-to-visible: p50 ${ms(v.p50)}, p99 ${ms(v.p99)}, max ${ms(v.max)} ` +
    `(POST answered: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}); polls needed beyond the first: ${result.extraPolls}`);
}

/** The datasets by name: the example graph-data `kus serve` seeds itself with, and the generated OpenShift-scale one. */
export function publishDatasets(names, work, seed) {
  const out = [];
  for (const name of names) {
    if (name === 'example') out.push({ name: 'example', description: 'the example graph-data shipped with KUS', graphData: null, raw: null });
    else if (name === 'generated') out.push(generatedDataset(path.join(work, 'publish-generated-data'), seed));
    else throw new Error(`unknown dataset ${JSON.stringify(name)} (example, generated, both)`);
  }
  return out;
}

async function main() {
  const { values: opts } = parseArgs({
    options: { count: { type: 'string', default: '200' }, dataset: { type: 'string', default: 'both' }, seed: { type: 'string', default: '20260101' } },
  });
  const count = Number(opts.count);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer (got '${opts.count}')`);
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kus-bench-publish-'));
  const children = new Children();
  process.once('exit', () => {
    children.killAllNow();
    fs.rmSync(work, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  setTimeout(() => {
    console.error('bench/publish: still running after 15 minutes; stopping');
    process.exit(1);
  }, 15 * 60_000).unref();
  const names = opts.dataset === 'both' ? ['example', 'generated'] : [opts.dataset];
  try {
    for (const dataset of publishDatasets(names, work, Number(opts.seed))) printPublish(await measurePublish({ children, repoRoot, work, count }, dataset));
  } finally {
    await children.stopAll();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`bench/publish failed: ${err.stack ?? err}`);
    process.exitCode = 1;
  });
}

/** The i-th release the benchmark publishes (99.0.i, amd64, after 99.0.i-1), listed in channel. */
export function benchRelease(i, channel) {
  return {
    version: `99.0.${i}`,
    arch: 'amd64',
    payload: `quay.example/bench/release@sha256:${(0xbe000000 + i).toString(16).padStart(64, '0')}`,
    previous: i === 0 ? [] : [`99.0.${i - 1}`],
    channels: [channel],
  };
}
