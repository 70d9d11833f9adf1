// Runs the promotion policies inside `kus serve`: once at start, then every interval. A run that fails is logged
// and the next one comes anyway; stopping waits for a run in progress. The halting rule of rollouts
// (services/rollout-halts.ts) runs on a timer of its own the same way.

export const DEFAULT_POLICY_INTERVAL_MS = 60_000;

export interface PolicyRunnerDeps {
  /** What runs (PromotionPolicies, RolloutHalts). */
  policies: { run(): Promise<unknown> };
  intervalMs?: number;
  /** Names the run in the log line of a failed run (default: promotion policies). */
  what?: string;
  logger: { error(obj: object, msg: string): void };
}

export class PolicyRunner {
  private readonly policies: PolicyRunnerDeps['policies'];
  private readonly intervalMs: number;
  private readonly logger: PolicyRunnerDeps['logger'];
  private readonly what: string;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = true;

  constructor(deps: PolicyRunnerDeps) {
    this.policies = deps.policies;
    this.intervalMs = deps.intervalMs ?? DEFAULT_POLICY_INTERVAL_MS;
    this.logger = deps.logger;
    this.what = deps.what ?? 'promotion policies';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private tick(): void {
    this.current = this.policies.run().then(
      () => undefined,
      (err: unknown) => this.logger.error({ err }, `${this.what}: the run failed; the next one comes at the interval`),
    ).finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.intervalMs);
      // A pending run must not keep a stopping process alive.
      this.timer.unref();
    });
  }
}
