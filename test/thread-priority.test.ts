// In `kus serve` only the thread answering clusters runs at nice 0: V8's helper threads, libuv's pool, the build worker
// and the fleet writer run at BACKGROUND_NICE, so on a CPU they share the scheduler gives the serving thread ten times
// their share. Read from /proc of a real server after a write and after fleet polls were written.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BACKGROUND_NICE } from '../src/services/thread-priority.js';
import { clusterUuid } from './helpers/fleet-polls.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared.js';
import { tempTree } from './helpers/temp-tree.js';
import { until } from './helpers/until.js';

const ADMIN_TOKEN = `kus_${'p'.repeat(43)}`;
const CLOCK_TICKS_PER_SECOND = 100;

interface ThreadState {
  tid: number;
  nice: number;
  /** Seconds since the thread started: a thread seconds old has run its own start (a worker lowers itself there). */
  age: number;
}

function threadsOf(pid: number): ThreadState[] {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const threads: ThreadState[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name, which may hold spaces: the 3rd field (state) is [0], the 19th (nice) [16], the 22nd (start time) [19].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.push({ tid: Number(tid), nice: Number(fields[16]), age: uptime - Number(fields[19]) / CLOCK_TICKS_PER_SECOND });
  }
  return threads;
}

t.test('every thread of kus serve but the serving one runs at nice 10', { skip: process.platform === 'linux' ? false : 'threads have their own nice value only on Linux' }, async (t) => {
  const dir = tempTree(t);
  writeFileSync(path.join(dir, 'admin-token'), `${ADMIN_TOKEN}\n`);
  const server = await serveChild(t, ['--db', path.join(dir, 'kus.db'), '--graph-data', path.join(repoRoot, 'graph-data'),
    '--admin-token-file', path.join(dir, 'admin-token'), '--fleet-flush', '1s'],
  // tap's NODE_OPTIONS loads its process tracker into every thread, with a thread of its own: run as a user would.
  { NODE_OPTIONS: '' });
  await until('ready', 30_000, async () => (await fetch(`${server.url}/readyz`)).status === 200);
  const pid = server.child.pid!;
  const admin = async (method: string, route: string, body?: unknown): Promise<Response> => fetch(`${server.url}/api/admin/v1${route}`, {
    method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  const atStart = threadsOf(pid);
  t.equal(atStart.find((s) => s.tid === pid)?.nice, 0, 'the serving thread keeps nice 0');
  const others = atStart.filter((s) => s.tid !== pid);
  t.ok(others.length >= 2, `V8's helper and the build worker at least (${others.length} other threads)`);
  t.same(others.filter((s) => s.nice !== BACKGROUND_NICE), [], `every other thread at nice ${BACKGROUND_NICE} once ready`);

  t.equal((await admin('POST', '/channels', { name: 'nice-test' })).status, 200, 'a write, run by the build worker');
  const ids = [1, 2, 3].map(clusterUuid);
  for (const id of ids) {
    const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=stable-4.9&arch=amd64&id=${id}&version=4.9.0`, { headers: { accept: 'application/json' } });
    t.equal(res.status, 200, `a poll from ${id}`);
  }
  await until('the fleet writer stored the polls', 20_000, async () => {
    const res = await admin('GET', '/fleet/clusters');
    return res.status === 200 && ((await res.json()) as { value: unknown[] }).value.length === ids.length;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const after = threadsOf(pid);
  t.equal(after.find((s) => s.tid === pid)?.nice, 0, 'the serving thread still at nice 0');
  const settled = after.filter((s) => s.tid !== pid && s.age >= 1);
  t.ok(settled.length >= others.length, `the threads started since are counted too (${settled.length} other threads)`);
  t.same(settled.filter((s) => s.nice !== BACKGROUND_NICE), [], `every other thread at nice ${BACKGROUND_NICE} after a write and fleet writes`);
  t.equal(await server.stop(), 0, 'the server stops cleanly');
});
