// kus_build_info: which build answers, as Prometheus convention has it (a gauge fixed at 1, the facts in labels).
import { Gauge, type Registry } from 'prom-client';

export interface BuildLabels {
  version: string;
  commit: string;
}

export function registerBuildInfo(registry: Registry, build: BuildLabels): void {
  const gauge = new Gauge({
    name: 'kus_build_info',
    help: 'The running build: package version and source commit ("unknown" when the build had neither git nor KUS_BUILD_COMMIT).',
    labelNames: ['version', 'commit'] as const,
    registers: [registry],
  });
  gauge.set({ version: build.version, commit: build.commit }, 1);
}
