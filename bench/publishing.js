// Publishing while clusters poll (issue 9): a server under wrk load while an admin publishes about once a second
// through the admin API. Measures the graph latency clusters see meanwhile, publish-to-visible, and RSS — on the
// primary, and on a `kus serve --follow` replica (sync time: publish on the primary → visible on the replica).
import http from 'node:http';
import { getRaw } from './http.js';
import { GRAPH_PATH, memoryOf } from './kus.js';
import { ADMIN, benchRelease, requestJson } from './publish.js';
import { range, summary } from './stats.js';

export const PUBLISH_CHANNEL = 'bench-publish-1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes releases 99.0.N (each the successor of the previous) into PUBLISH_CHANNEL on one server. */
export class Publisher {
  #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  #next = 0;

  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  /** Creates PUBLISH_CHANNEL and waits until the graph serves it, so no rebuild of its own spills into a measurement. */
  async createChannel() {
    const res = await requestJson(this.#agent, this.base, 'POST', `${ADMIN}/channels`, this.token, { name: PUBLISH_CHANNEL });
    if (res.status !== 200) throw new Error(`creating channel ${PUBLISH_CHANNEL}: ${res.status} ${res.body}`);
    const url = `${this.base}${GRAPH_PATH}?channel=${PUBLISH_CHANNEL}&arch=amd64`;
    for (const deadline = performance.now() + 120_000; (await getRaw(url, { Accept: 'application/json' })).status !== 200;) {
      if (performance.now() > deadline) throw new Error(`${url} still not served 2 minutes after creating the channel`);
      await sleep(50);
    }
  }

  /** POSTs the next release; resolves with its version and the ms the POST took. */
  async publish() {
    const i = this.#next++;
    const body = benchRelease(i, PUBLISH_CHANNEL);
    const { version } = body;
    const started = performance.now();
    const res = await requestJson(this.#agent, this.base, 'POST', `${ADMIN}/releases`, this.token, body);
    if (res.status !== 200) throw new Error(`POST ${ADMIN}/releases ${version}: ${res.status} ${res.body}`);
    return { version, started, postMs: performance.now() - started };
  }

  /** Continues the numbering after `version` (99.0.N), published earlier by another Publisher. */
  skipTo(version) {
    this.#next = Number(/^99\.0\.(\d+)$/.exec(version)[1]) + 1;
  }

  close() {
    this.#agent.destroy();
  }
}

/**
 * Polls one server's graph of PUBLISH_CHANNEL every `everyMs` (one request at a time) and notes when each awaited
 * version first appears. A new wait polls at once (after the request in flight, if any), as a publisher checking its
 * publish would: a primary installs the new graph before it answers the POST, so a poll only on the interval measured
 * the interval too (3–22 ms more than the POST's answer in ten quiet publishes, with the 20 ms default).
 */
export class VisibilityWatcher {
  #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  #pending = new Map();
  #running = true;
  #loop;
  /** Ends the sleep between two polls early (a new wait). */
  #wake = () => undefined;
  #kicked = false;

  constructor(base, everyMs = 20) {
    this.url = `${base}${GRAPH_PATH}?channel=${PUBLISH_CHANNEL}&arch=amd64`;
    this.everyMs = everyMs;
    this.#loop = this.#poll();
  }

  /** Resolves with the ms from `since` until `version` showed, or null when it did not within `timeoutMs`. */
  wait(version, since, timeoutMs = 120_000) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(version);
        console.log(`WARNING: ${version} not visible at ${this.url} after ${timeoutMs} ms`);
        resolve(null);
      }, timeoutMs);
      this.#pending.set(version, { since, resolve: (at) => { clearTimeout(timer); resolve(at - since); } });
      this.#kicked = true;
      this.#wake();
    });
  }

  async #poll() {
    while (this.#running) {
      this.#kicked = false;
      if (this.#pending.size > 0) {
        const versions = await this.#versions();
        const at = performance.now();
        for (const [version, waiter] of this.#pending) {
          if (versions.has(version)) {
            this.#pending.delete(version);
            waiter.resolve(at);
          }
        }
      }
      // Waited for while that request was in flight: it may have been answered before the version was installed.
      if (this.#kicked) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, this.everyMs);
        this.#wake = () => { clearTimeout(timer); resolve(); };
      });
      this.#wake = () => undefined;
    }
  }

  #versions() {
    return new Promise((resolve) => {
      const req = http.get(this.url, { agent: this.#agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? new Set(JSON.parse(Buffer.concat(chunks).toString()).nodes.map((n) => n.version)) : new Set());
          } catch {
            resolve(new Set());
          }
        });
      });
      // A failed poll (server busy restarting a socket) is retried at the next tick.
      req.on('error', () => resolve(new Set()));
    });
  }

  async close() {
    this.#running = false;
    await this.#loop;
    this.#agent.destroy();
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples in MB. */
export function sampleRss(pid, everyMs = 200) {
  const samples = [memoryOf(pid).rssMb];
  const timer = setInterval(() => samples.push(memoryOf(pid).rssMb), everyMs);
  return () => {
    clearInterval(timer);
    samples.push(memoryOf(pid).rssMb);
    return samples;
  };
}

/**
 * Publishes one release at a time, waiting for each to be visible on `watcher`'s server before the next, with no
 * other load: publish-to-visible as an admin sees it on a quiet server.
 */
export async function sequentialPublishes(publisher, watcher, count) {
  const visible = [];
  const post = [];
  for (let i = 0; i < count; i++) {
    const p = await publisher.publish();
    visible.push(await watcher.wait(p.version, p.started));
    post.push(p.postMs);
  }
  return { visibleMs: visible, postMs: post };
}

/**
 * Runs `load()` (a wrk run) while publishing on `publisher` about every `everyMs` (the next POST starts when the
 * previous one answered and at least `everyMs` after the previous start), each awaited on `watcher` (which may poll
 * another server: a replica). Returns the load's result, the publish-to-visible times and the POST times.
 *
 * With `publishForMs`, publishing stops after that long and `load(settled)` keeps going until `settled()` says
 * every publish is visible: a replica syncs some time after the POST, and its latency must be measured while it does.
 */
export async function publishDuringLoad({ publisher, watcher, load, everyMs = 1000, publishForMs = null }) {
  let publishingOn = true;
  let pending = 0;
  const waits = [];
  const post = [];
  const startedAt = performance.now();
  const publishing = (async () => {
    while (publishingOn && (publishForMs === null || performance.now() - startedAt < publishForMs)) {
      const started = performance.now();
      const p = await publisher.publish();
      post.push(p.postMs);
      pending += 1;
      waits.push(watcher.wait(p.version, p.started).finally(() => { pending -= 1; }));
      const rest = everyMs - (performance.now() - started);
      if (rest > 0) await sleep(rest);
    }
  })();
  let publishingDone = false;
  publishing.finally(() => { publishingDone = true; });
  const result = await load(() => publishingDone && pending === 0);
  const seconds = (performance.now() - startedAt) / 1000;
  publishingOn = false;
  await publishing;
  const visible = await Promise.all(waits);
  return { load: result, visibleMs: visible, postMs: post, publishesPerSecond: post.length / Math.min(seconds, (publishForMs ?? Infinity) / 1000) };
}

/**
 * wrk runs of `chunkSeconds` one after another until `settled()` (at least one): one result with the requests/s over
 * all of them, the median of their p50s, the worst p99 and the maximum, so no stall between chunks goes unseen.
 */
export async function loadUntil(wrk, url, chunkSeconds, settled) {
  const chunks = [];
  do chunks.push(await wrk(url, chunkSeconds)); while (!settled());
  const answered = chunks.filter((c) => c.requests > 0);
  const requests = chunks.reduce((s, c) => s + c.requests, 0);
  const worst = (key) => (answered.length === 0 ? null : Math.max(...answered.map((c) => c[key])));
  return {
    requestsPerSec: requests / (chunks.length * chunkSeconds), requests, chunks: chunks.length,
    p50Ms: range(answered.map((c) => c.p50Ms))?.median ?? null, p99Ms: worst('p99Ms'), maxMs: worst('maxMs'),
    non2xx: chunks.reduce((s, c) => s + c.non2xx, 0), socketErrors: chunks.reduce((s, c) => s + c.socketErrors, 0),
  };
}

/** summary() of the publishes that became visible, and how many did not (null: not within the watcher's limit). */
export function seen(visibleMs = []) {
  return { ...summary(visibleMs.filter((x) => x !== null)), notVisible: visibleMs.filter((x) => x === null).length };
}

/**
 * Figures of one server over its rounds: each figure's range over rounds, plus all samples pooled. The p99 while
 * publishing is compared with `baselineP99Ms` (the server's p99 under the same load before anything was published)
 * when given, else with each round's own idle p99.
 */
export function summariseRounds(rounds, baselineP99Ms = null) {
  const pick = (fn) => range(rounds.map(fn));
  const pooled = (key) => seen(rounds.flatMap((r) => r[key] ?? []));
  return {
    rounds: rounds.length,
    idle: {
      requestsPerSec: pick((r) => r.idle.requestsPerSec), p50Ms: pick((r) => r.idle.p50Ms),
      p99Ms: pick((r) => r.idle.p99Ms), maxMs: pick((r) => r.idle.maxMs),
    },
    publishing: {
      requestsPerSec: pick((r) => r.busy.load.requestsPerSec), p50Ms: pick((r) => r.busy.load.p50Ms),
      p99Ms: pick((r) => r.busy.load.p99Ms), maxMs: pick((r) => r.busy.load.maxMs),
      p99OverIdleP99: pick((r) => {
        const idle = baselineP99Ms ?? r.idle.p99Ms;
        return r.busy.load.p99Ms === null || idle === null ? null : r.busy.load.p99Ms / idle;
      }),
      idleP99BaselineMs: baselineP99Ms,
      requests: rounds.reduce((s, r) => s + r.busy.load.requests, 0),
      // Rounds in which no graph request was answered at all: every request waited longer than the round.
      unansweredRounds: rounds.filter((r) => r.busy.load.requests === 0).length,
      publishesPerSecond: pick((r) => r.busy.publishesPerSecond),
      non2xx: rounds.reduce((s, r) => s + r.busy.load.non2xx, 0), socketErrors: rounds.reduce((s, r) => s + r.busy.load.socketErrors, 0),
    },
    quietVisibleMs: { p50: pick((r) => seen(r.quietVisibleMs).p50), p99: pick((r) => seen(r.quietVisibleMs).p99), pooled: pooled('quietVisibleMs') },
    // Each round's first quiet publish starts a build worker (the last one exited when idle); the others find it warm.
    // (A replica's rounds have no quiet publishes.)
    quietFirstVisibleMs: seen(rounds.flatMap((r) => r.quietVisibleMs?.slice(0, 1) ?? [])),
    quietWarmVisibleMs: seen(rounds.flatMap((r) => r.quietVisibleMs?.slice(1) ?? [])),
    busyVisibleMs: { p50: pick((r) => seen(r.busy.visibleMs).p50), p99: pick((r) => seen(r.busy.visibleMs).p99), pooled: seen(rounds.flatMap((r) => r.busy.visibleMs)) },
    postMs: summary(rounds.flatMap((r) => [...(r.quietPostMs ?? []), ...r.busy.postMs])),
    rssIdleMb: pick((r) => Math.max(...r.rssIdle)),
    rssPublishingMb: pick((r) => Math.max(...r.rssBusy)),
  };
}
