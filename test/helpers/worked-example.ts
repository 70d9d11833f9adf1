// The worked example of shared/spec/graph-semantics.md §8.2 and §9.4: two architectures, a placeholder, a raw
// metadata edge, a plain block and two conditional-edge files.
import type { GraphData, Release } from '../../src/graph/index.js';

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

export function workedReleases(): Release[] {
  const lines: Array<[string, string[]]> = [
    ['1.0.0', []],
    ['1.1.0', ['1.0.0']],
    ['1.1.1', ['1.0.0', '1.1.0']],
    ['1.2.0', ['1.1.0', '1.1.1']],
    ['1.2.1', ['1.1.1', '1.2.0', '1.0.9']],
  ];
  const releases: Release[] = [];
  let n = 1;
  for (const arch of ['amd64', 'arm64']) {
    for (const [version, previous] of lines) {
      const d = digest(n++);
      releases.push({ version, arch, payload: `registry.example/kylin/release@${d}`, digest: d, metadata: {}, previous, next: [] });
    }
  }
  return releases;
}

export function workedGraphData(): GraphData {
  return {
    schemaVersion: '1.1.0',
    rawMetadata: [['1.2.0', { 'io.openshift.upgrades.graph.previous.add': '1.0.0' }]],
    blockedEdges: [{ file: '1.1.1.yaml', to: '1.1.1', from: '^1[.]0[.]0[+].*$' }],
    conditionalEdges: [
      {
        file: '1.2.1-a-storage.yaml', to: '1.2.1', from: '1\\.1\\..*',
        risk: {
          url: 'https://docs.example/kb/42', name: 'StorageDriverRisk', message: 'Legacy storage driver may lose volumes.',
          matchingRules: [{ type: 'PromQL', promql: { promql: 'max(kylin_legacy_storage_enabled)' } }],
        },
      },
      {
        file: '1.2.1-b-always.yaml', to: '1.2.1', from: '^1[.]1[.]1[+]',
        risk: { url: 'https://docs.example/kb/43', name: 'EarlyAdopterRisk', message: 'Not recommended yet.', matchingRules: [{ type: 'Always' }] },
      },
    ],
    channels: [
      { file: 'candidate-1.10.yaml', name: 'candidate-1.10', versions: ['1.2.1'] },
      { file: 'candidate-1.2.yaml', name: 'candidate-1.2', versions: ['1.1.0', '1.1.1', '1.2.0', '1.2.1'] },
      { file: 'stable-1.1.yaml', name: 'stable-1.1', versions: ['1.0.0', '1.1.0', '1.1.1'] },
      { file: 'stable-1.2.yaml', name: 'stable-1.2', versions: ['1.1.1', '1.2.0', '1.2.1+amd64'] },
    ],
  };
}
