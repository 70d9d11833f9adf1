// Serving from several processes: a primary forks workers that share the listening socket, and each worker serves
// its own copy of the graph from the shared SQLite store (WAL allows concurrent readers). A write taken by one
// worker is visible in every worker before its response returns: the writer asks its siblings, through the
// primary, to rebuild, and waits for all of them.
import cluster, { type Worker } from 'node:cluster';

/** Messages between workers and the primary; `kus` tags them so that other IPC traffic is ignored. */
type ClusterMessage =
  | { kus: 'rebuild'; id: string }
  | { kus: 'rebuilt'; id: string }
  | { kus: 'synced'; id: string };

function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && typeof (m as { kus?: unknown }).kus === 'string' && typeof (m as { id?: unknown }).id === 'string';
}

export interface PrimaryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PrimaryHandle {
  /** Resolves when every worker exited after stop(). */
  stopped: Promise<void>;
  stop(signal?: NodeJS.Signals): void;
}

/** Runs in the primary: forks `count` workers, replaces any that die, relays rebuild requests between them. */
export function runPrimary(count: number, logger: PrimaryLogger, env: NodeJS.ProcessEnv): PrimaryHandle {
  // Let the kernel spread connections over the workers' shared socket instead of the primary handing each one over.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  const pending = new Map<string, { writer: Worker; waiting: Set<number> }>();

  const settle = (id: string): void => {
    const p = pending.get(id);
    if (p && p.waiting.size === 0) {
      pending.delete(id);
      if (p.writer.isConnected()) p.writer.send({ kus: 'synced', id: id.slice(id.indexOf(':') + 1) } satisfies ClusterMessage);
    }
  };

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('message', (m: unknown) => {
      if (!isClusterMessage(m)) return;
      if (m.kus === 'rebuild') {
        const id = `${worker.id}:${m.id}`;
        const siblings = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w !== worker && w.isConnected());
        pending.set(id, { writer: worker, waiting: new Set(siblings.map((w) => w.id)) });
        for (const w of siblings) w.send({ kus: 'rebuild', id } satisfies ClusterMessage);
        settle(id);
      } else if (m.kus === 'rebuilt') {
        pending.get(m.id)?.waiting.delete(worker.id);
        settle(m.id);
      }
    });
    return worker;
  };

  for (let i = 0; i < count; i++) fork();
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
    cluster.on('exit', (worker, code, signal) => {
      for (const [id, p] of pending) {
        p.waiting.delete(worker.id);
        settle(id);
      }
      if (!stopping) {
        logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting a new one');
        fork();
      } else if (Object.keys(cluster.workers ?? {}).length === 0) {
        resolve();
      }
    });
  });
  logger.info({ workers: count }, 'started workers');
  return {
    stopped,
    stop(signal = 'SIGTERM') {
      stopping = true;
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      if (live.length === 0) resolveStopped();
      for (const w of live) w.process.kill(signal);
    },
  };
}

/** Runs in a worker: answers rebuild requests from siblings and lets local writes wait for the siblings. */
export class SiblingSync {
  private next = 0;
  private readonly waiting = new Map<string, () => void>();

  /** `rebuild` is this worker's own GraphCache rebuild. */
  constructor(private readonly rebuild: () => unknown, private readonly timeoutMs = 10_000) {
    process.on('message', (m: unknown) => {
      if (!isClusterMessage(m)) return;
      if (m.kus === 'rebuild') {
        this.rebuild();
        process.send?.({ kus: 'rebuilt', id: m.id } satisfies ClusterMessage);
      } else if (m.kus === 'synced') {
        this.waiting.get(m.id)?.();
      }
    });
  }

  /** Resolves once every sibling rebuilt from the store (or after the timeout: a stuck sibling must not block writes). */
  siblingsRebuilt(): Promise<void> {
    if (!process.send) return Promise.resolve();
    const id = String(++this.next);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve();
      }, this.timeoutMs);
      timer.unref();
      this.waiting.set(id, () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve();
      });
      process.send!({ kus: 'rebuild', id } satisfies ClusterMessage);
    });
  }
}

export const isClusterWorker = (): boolean => cluster.isWorker;
export const isClusterPrimary = (): boolean => cluster.isPrimary;
