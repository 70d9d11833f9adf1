// The two publishing sections of a dataset: the primary under graph load while an admin publishes, then a
// `kus serve --follow` replica under graph load while the primary publishes (issue 9 items 2 and 6).
import path from 'node:path';
import { waitQuiet } from './cpu.js';
import { freePort, getRaw } from './http.js';
import { GRAPH_PATH, memoryOf, startKus } from './kus.js';
import { movePid } from './pin.js';
import { loadUntil, Publisher, publishDuringLoad, sampleRss, seen, sequentialPublishes, summariseRounds, VisibilityWatcher, PUBLISH_CHANNEL } from './publishing.js';

/**
 * Rounds on the running primary `kus`: graph load alone once it is quiet (idle figures, RSS idle), `quiet` publishes one at a time
 * with no load (publish-to-visible), then graph load while publishing about once a second (RSS while publishing
 * covers both kinds of publishes). `wrk(url, seconds)` runs the pinned load generator. The idle rounds come after
 * publishes, whose garbage the server may still be collecting: `baselineP99Ms`, the p99 before any publish, is the
 * idle figure the p99 while publishing is compared with.
 */
export async function measurePrimaryPublishing({ kus, token, graphUrl, wrk, settings, baselineP99Ms }) {
  const publisher = new Publisher(kus.base, token);
  const watcher = new VisibilityWatcher(kus.base);
  try {
    await publisher.createChannel();
    const rounds = [];
    for (let round = 0; round < settings.rounds; round++) {
      await waitQuiet(kus.child.pid);
      const stopIdle = sampleRss(kus.child.pid);
      const idle = await wrk(graphUrl, settings.idleSeconds);
      const rssIdle = stopIdle();
      const stopBusy = sampleRss(kus.child.pid);
      const quiet = await sequentialPublishes(publisher, watcher, settings.quietPublishes);
      const busy = await publishDuringLoad({ publisher, watcher, load: () => wrk(graphUrl, settings.publishSeconds), everyMs: settings.publishEveryMs });
      const rssBusy = stopBusy();
      rounds.push({ idle, quietVisibleMs: quiet.visibleMs, quietPostMs: quiet.postMs, busy, rssIdle, rssBusy });
      console.log(`[primary] round ${round + 1}: idle p99 ${idle.p99Ms} ms max ${idle.maxMs} ms; publishing ` +
        `${busy.publishesPerSecond.toFixed(2)}/s: ${busy.load.requestsPerSec.toFixed(0)} req/s p99 ${busy.load.p99Ms} ms max ${busy.load.maxMs} ms; ` +
        `visible after ${fmtList(busy.visibleMs)} ms (under load), after ${fmtList(quiet.visibleMs)} ms (quiet); RSS ${Math.max(...rssIdle).toFixed(0)} → ${Math.max(...rssBusy).toFixed(0)} MB`);
    }
    const rest = await rested('primary', kus.child.pid, settings.restSeconds);
    return { ...summariseRounds(rounds, baselineP99Ms), rest, raw: rounds.map(stripSamples) };
  } finally {
    publisher.close();
    await watcher.close();
  }
}

/**
 * Publish-to-visible on a server with no other load (another runtime's: Node 24, which the Docker image runs): `rounds`
 * times, wait until the server is quiet and its build worker has let go of its builds (2 s after its last request), then `count`
 * publishes one after another, each awaited until the graph shows it.
 */
export async function measureQuietPublishing({ kus, token, rounds, count, restSeconds, label }) {
  const publisher = new Publisher(kus.base, token);
  const watcher = new VisibilityWatcher(kus.base);
  try {
    await publisher.createChannel();
    const visible = [];
    for (let round = 0; round < rounds; round++) {
      await waitQuiet(kus.child.pid);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const quiet = await sequentialPublishes(publisher, watcher, count);
      visible.push(quiet.visibleMs);
      console.log(`[${label}] round ${round + 1}: visible after ${fmtList(quiet.visibleMs)} ms (quiet)`);
    }
    const rssMb = memoryOf(kus.child.pid).rssMb;
    const rest = await rested(label, kus.child.pid, restSeconds);
    return { label, all: seen(visible.flat()), first: seen(visible.map((v) => v[0] ?? null)), others: seen(visible.flatMap((v) => v.slice(1))), rssMb, rest };
  } finally {
    publisher.close();
    await watcher.close();
  }
}

/**
 * A replica of the running primary, on the server CPU (the primary moves to the load CPU, so that its rebuilds do
 * not count against the replica): first sync time, then rounds of graph load on the replica alone, and while the
 * primary publishes about once a second and until the replica has synced all of it (its p99 is the worst of the
 * wrk runs that took); sync time = POST on the primary → visible on the replica.
 */
export async function measureReplica({ children, repoRoot, dir, primary, token, request, wrk, pin, settings }) {
  movePid(primary.child.pid, pin?.load ?? null);
  const db = path.join(dir, 'replica.db');
  const started = performance.now();
  const replica = await startKus({
    children, repoRoot, db, port: await freePort(), logFile: path.join(dir, 'replica.log'), cpu: pin?.server ?? null,
    serveArgs: ['--follow', primary.base, '--follow-interval', String(settings.followIntervalSeconds)],
  });
  const publisher = new Publisher(primary.base, token);
  const watcher = new VisibilityWatcher(replica.base);
  try {
    // Ready is not enough: the first sync brings the whole store over.
    const last = await lastPublished(primary.base);
    if (!last) throw new Error(`the primary has no release in ${PUBLISH_CHANNEL}: the replica section runs after the primary's`);
    if ((await watcher.wait(last, performance.now(), 300_000)) === null) throw new Error(`the replica did not show ${last} within 5 minutes of its start`);
    const firstSyncMs = performance.now() - started;
    console.log(`[replica] first sync (start → serving the primary's graph) ${firstSyncMs.toFixed(0)} ms`);
    // Publishing continues the primary's numbering: start the publisher after the primary's last release.
    publisher.skipTo(last);
    const graphUrl = `${replica.base}${GRAPH_PATH}?channel=${request.channel}&arch=${request.arch}`;
    const rounds = [];
    for (let round = 0; round < settings.rounds; round++) {
      await waitQuiet(replica.child.pid);
      const stopIdle = sampleRss(replica.child.pid);
      const idle = await wrk(graphUrl, settings.idleSeconds);
      const rssIdle = stopIdle();
      const stopBusy = sampleRss(replica.child.pid);
      // Publish for publishSeconds, and keep the load on until the replica shows every release (it syncs later).
      const busy = await publishDuringLoad({
        publisher, watcher, everyMs: settings.publishEveryMs, publishForMs: settings.publishSeconds * 1000,
        load: (settled) => loadUntil(wrk, graphUrl, settings.publishSeconds, settled),
      });
      const rssBusy = stopBusy();
      rounds.push({ idle, busy, rssIdle, rssBusy });
      console.log(`[replica] round ${round + 1}: idle p99 ${idle.p99Ms} ms max ${idle.maxMs} ms; primary publishing ` +
        `${busy.publishesPerSecond.toFixed(2)}/s, load until synced (${busy.load.chunks} x ${settings.publishSeconds}s): ` +
        `${busy.load.requestsPerSec.toFixed(0)} req/s p99 ${busy.load.p99Ms} ms max ${busy.load.maxMs} ms; sync ${fmtList(busy.visibleMs)} ms; RSS ${Math.max(...rssIdle).toFixed(0)} → ${Math.max(...rssBusy).toFixed(0)} MB`);
    }
    const summary = summariseRounds(rounds);
    const rest = await rested('replica', replica.child.pid, settings.restSeconds);
    return {
      followIntervalSeconds: settings.followIntervalSeconds,
      firstSyncMs,
      rest,
      ...summary,
      syncMs: summary.busyVisibleMs,
      raw: rounds.map(stripSamples),
    };
  } finally {
    publisher.close();
    await watcher.close();
    await children.stop(replica.child);
    movePid(primary.child.pid, pin?.server ?? null);
  }
}

/** The newest 99.0.N in the primary's publish channel (null when none). */
async function lastPublished(base) {
  const res = await getRaw(`${base}${GRAPH_PATH}?channel=${PUBLISH_CHANNEL}&arch=amd64`, { Accept: 'application/json' });
  if (res.status !== 200) return null;
  const numbers = JSON.parse(res.body.toString()).nodes.map((n) => Number(/^99\.0\.(\d+)$/.exec(n.version)?.[1])).filter(Number.isInteger);
  return numbers.length === 0 ? null : `99.0.${Math.max(...numbers)}`;
}

/**
 * `{ seconds, rssMb }` of a server left alone for `seconds` after its last round (null when 0): how much of what
 * publishing grew it gives back once idle. Its build worker lets go of its builds 2 s after its last request and, on
 * Node 24, gives back the memory V8 keeps free a minute after it (src/services/graph-builder.ts, DEFAULT_RELEASE_MS).
 */
async function rested(label, pid, seconds) {
  if (!(seconds > 0)) return null;
  console.log(`[${label}] quiet for ${seconds} s, then RSS`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const rssMb = memoryOf(pid).rssMb;
  console.log(`[${label}] RSS ${rssMb.toFixed(0)} MB after ${seconds} s quiet`);
  return { seconds, rssMb };
}

function fmtList(all) {
  const xs = all.filter((x) => x !== null);
  const missing = all.length - xs.length > 0 ? ` + ${all.length - xs.length} not visible` : '';
  if (xs.length === 0) return `none${missing}`;
  return `${xs.length <= 6 ? xs.map((x) => x.toFixed(0)).join('/') : `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} (${xs.length})`}${missing}`;
}

/** A round as kept in results.json: the figures, not every RSS sample. */
function stripSamples({ rssIdle, rssBusy, ...round }) {
  return { ...round, rssIdleMaxMb: Math.max(...rssIdle), rssBusyMaxMb: Math.max(...rssBusy) };
}
