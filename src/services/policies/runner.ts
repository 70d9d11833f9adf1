// Runs the promotion policies inside `kus serve`: once at start, then every interval. A run that fails is logged
// and the next one comes anyway; stopping waits for a run in progress.
import type { PromotionPolicies } from './policies.js';

export const DEFAULT_POLICY_INTERVAL_MS = 60_000;

export interface PolicyRunnerDeps {
  policies: Pick<PromotionPolicies, 'run'>;
  intervalMs?: number;
  logger: { error(obj: object, msg: string): void };
}

export class PolicyRunner {
  private readonly policies: PolicyRunnerDeps['policies'];
  private readonly intervalMs: number;
  private readonly logger: PolicyRunnerDeps['logger'];
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = true;

  constructor(deps: PolicyRunnerDeps) {
    this.policies = deps.policies;
    this.intervalMs = deps.intervalMs ?? DEFAULT_POLICY_INTERVAL_MS;
    this.logger = deps.logger;
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
      (err: unknown) => this.logger.error({ err }, 'promotion policies: the run failed; the next one comes at the interval'),
    ).finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.intervalMs);
      // A pending run must not keep a stopping process alive.
      this.timer.unref();
    });
  }
}
