// Graph throughput with 3 active phased rollouts in the requested channel against the same store without any
// (issue 13: ≥ 0.9×). Both servers run pinned like the others; requests carry cluster ids, 1,000 of them in turn
// (a wrk script), so every request of the rollout server picks its variant body by wariness.
import fs from 'node:fs';
import path from 'node:path';
import { waitQuiet, withCpuCost } from './cpu.js';
import { getRaw } from './http.js';
import { GRAPH_PATH, startKus } from './kus.js';
import { runToEnd } from './processes.js';

const IDS = 1000;
const uuid = (i) => {
  const hex = (i * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return `${hex}-${(i & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${i.toString(16).padStart(12, '0')}`;
};

/** A wrk script that sends each request with the next of IDS cluster ids. */
function idScript(dir) {
  const file = path.join(dir, 'rollout-ids.lua');
  const ids = Array.from({ length: IDS }, (_, i) => `"${uuid(i)}"`).join(',');
  fs.writeFileSync(file, `local ids = {${ids}}\nlocal i = 0\nrequest = function()\n  i = i % #ids + 1\n  return wrk.format(nil, wrk.path .. "&id=" .. ids[i])\nend\n`);
  return file;
}

const kusCli = (repoRoot, args) => runToEnd(process.execPath, ['dist/cli/main.js', ...args], { cwd: repoRoot, timeoutMs: 60_000 });

/** Starts rollouts of the channel's last three versions: 10%, 30% and 50% at a start an hour ago, over 48 h. */
async function startRollouts(repoRoot, db, channel) {
  const { stdout } = await kusCli(repoRoot, ['channel', 'list', '--db', db, '--json']);
  const doc = JSON.parse(stdout).find((c) => c.name === channel);
  const versions = [...new Set(doc.versions.map((v) => v.split('+')[0]))].slice(-3);
  if (versions.length < 3) throw new Error(`channel ${channel} lists fewer than 3 versions`);
  const start = new Date(Date.now() - 3_600_000).toISOString();
  for (const [i, version] of versions.entries()) {
    await kusCli(repoRoot, ['rollout', 'start', channel, version, '--duration', '48h', '--start', start, '--start-percentage', String(10 + 20 * i), '--db', db]);
  }
  return versions;
}

/**
 * `ctx`: { children, repoRoot, dir, pristine (a store copy to start from), request, wrk(url, seconds, script), rounds,
 * seconds, warmup, cpu, summarise, ratios }.
 */
export async function measureRollouts(ctx) {
  const { children, repoRoot, dir, pristine, request, wrk, rounds, seconds, warmup, cpu, summarise, ratios, freePort } = ctx;
  const none = path.join(dir, 'rollouts-none.db');
  const three = path.join(dir, 'rollouts-three.db');
  for (const db of [none, three]) for (const suffix of ['', '-wal']) if (fs.existsSync(`${pristine}${suffix}`)) fs.copyFileSync(`${pristine}${suffix}`, `${db}${suffix}`);
  const versions = await startRollouts(repoRoot, three, request.channel);
  const servers = [];
  try {
    for (const [key, db] of [['none', none], ['three', three]]) {
      const kus = await startKus({ children, repoRoot, db, port: await freePort(), logFile: path.join(dir, `kus-rollouts-${key}.log`), cpu });
      servers.push({ key, kus, url: `${kus.base}${GRAPH_PATH}?channel=${encodeURIComponent(request.channel)}&arch=${encodeURIComponent(request.arch)}` });
    }
    // The rollout server must really vary: different ETags over the ids.
    const tags = new Set();
    for (let i = 0; i < 200; i++) tags.add((await getRaw(`${servers[1].url}&id=${uuid(i)}`, { Accept: 'application/json' })).headers.etag);
    if (tags.size < 2) throw new Error(`the server with rollouts served ${tags.size} body for 200 cluster ids`);
    const script = idScript(dir);
    for (const s of servers) await waitQuiet(s.kus.child.pid);
    for (const s of servers) await wrk(s.url, warmup, script);
    const runs = { none: [], three: [] };
    for (let round = 0; round < rounds; round++) {
      // Which one goes first alternates, so a load change during a round does not always favour the same one.
      for (const s of round % 2 === 0 ? servers : [...servers].reverse()) runs[s.key].push(await withCpuCost(s.kus.child.pid, () => wrk(s.url, seconds, script)));
      const line = (r) => `${r.requestsPerSec.toFixed(0)} req/s, ${(r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest).toFixed(0)} us CPU/req`;
      console.log(`[rollouts] round ${round + 1}: none ${line(runs.none.at(-1))}; 3 active rollouts ${line(runs.three.at(-1))}`);
    }
    const none_ = summarise(runs.none);
    const three_ = summarise(runs.three);
    const cpuOf = (s) => ({ rounds: s.rounds.map((r) => ({ ...r, cpuUsPerRequest: r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest })) });
    return {
      versions, bodiesSeen: tags.size, ids: IDS, none: none_, three: three_, ratio: ratios(three_, none_, 'requestsPerSec'),
      // CPU per request reads less of the machine's other load than req/s does.
      cpuRatio: ratios(cpuOf(three_), cpuOf(none_), 'cpuUsPerRequest'),
    };
  } finally {
    for (const s of servers) await children.stop(s.kus.child);
  }
}
