// Random writes for tests that compare an incrementally maintained graph with a full build: a seeded store of three
// minors on two architectures with channels, risks and blocks, and writes drawn from what the store holds.
import { type BlockedEdgeDoc, type ChannelDoc, type ConditionalEdgeDoc, type Release } from '../../src/graph/index.js';
import type { WriteMethod } from '../../src/services/publisher.js';
import { openStore, type Store } from '../../src/store/index.js';

export const ARCHES = ['amd64', 'arm64'];
export const MINORS = [1, 2, 3];
export const actor = { name: 'tester' };
const hex = (n: number): string => n.toString(16).padStart(64, '0');

/** mulberry32: the same seed gives the same writes, so a failure can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedStore(file: string, arches: readonly string[] = ARCHES): void {
  const releases: Release[] = [];
  const channels: ChannelDoc[] = [];
  const blockedEdges: BlockedEdgeDoc[] = [];
  const conditionalEdges: ConditionalEdgeDoc[] = [];
  let n = 0;
  for (const minor of MINORS) {
    const zs = Array.from({ length: 12 }, (_, z) => `4.${minor}.${z}`);
    for (const arch of arches) {
      zs.forEach((version, z) => {
        const previous = zs.slice(Math.max(0, z - 4), z);
        if (minor > 1) previous.push(`4.${minor - 1}.10`, `4.${minor - 1}.11`);
        releases.push({ version, arch, payload: `quay.example/r@sha256:${hex(++n)}`, digest: `sha256:${hex(n)}`, metadata: { url: `https://docs.example/${version}` }, previous, next: [] });
      });
    }
    for (const name of ['candidate', 'fast', 'stable']) channels.push({ file: `${name}-4.${minor}.yaml`, name: `${name}-4.${minor}`, versions: zs.slice(0, name === 'stable' ? 8 : 12) });
    conditionalEdges.push({
      file: `4.${minor}.6-risk.yaml`, to: `4.${minor}.6`, from: `^4[.]${minor}[.](3|4|5)([+].*)?$`,
      risk: { url: `https://docs.example/kb/${minor}`, name: `Risk${minor}`, message: `Risk ${minor}`, matchingRules: [{ type: 'Always' }] },
    });
    blockedEdges.push({ file: `4.${minor}.9-block.yaml`, to: `4.${minor}.9`, from: `^4[.]${minor}[.]7[+]amd64$` });
  }
  const store = openStore(file);
  store.replaceAll({ releases, graphData: { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges, conditionalEdges, channels } });
  store.close();
}

/** One random write: its method and arguments, drawn from what the store holds now. */
/**
 * `rollouts: false` leaves rollouts and canaries out: a test that compares served bodies with a plain render cannot
 * model what a rollout hides.
 */
export function randomWrite(
  random: () => number, store: Store, step: number, arches: readonly string[] = ARCHES, { rollouts = true }: { rollouts?: boolean } = {},
): [WriteMethod, unknown[]] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const input = store.loadGraphInput();
  const versions = [...new Set(input.releases.map((r) => r.version))];
  const channels = input.graphData.channels.map((c) => c.name);
  const minor = pick(MINORS);
  const inMinor = versions.filter((v) => v.startsWith(`4.${minor}.`));
  const regex = (): string => pick([
    `^4[.]${minor}[.](${[pick(inMinor), pick(inMinor)].map((v) => v.split('.')[2]).join('|')})([+].*)?$`,
    `^4[.]${minor}[.].*[+]${pick(arches)}$`,
    `(?i)^4\\.${minor}\\.\\d+\\+AMD64$`,
    '.*',
  ]);
  const rolloutWrites = rollouts ? (['startRollout', 'changeRollout', 'changeCanaries'] as const) : [];
  switch (pick(['addRelease', 'addRelease', 'addRelease', ...rolloutWrites, 'removeRelease', 'addToChannel', 'removeFromChannel', 'createChannel', 'deleteChannel', 'blockEdge', 'addRisk', 'addRisk', 'removeEdge', 'setRawMetadata'] as const)) {
    case 'addRelease':
      return ['addRelease', [actor, {
        version: `4.${minor}.${100 + step}`, arch: pick(arches), payload: `quay.example/r@sha256:${hex(10_000 + step)}`,
        previous: [pick(inMinor), pick(inMinor)].filter((v, i, all) => all.indexOf(v) === i),
        channels: channels.filter((c) => c.endsWith(`-4.${minor}`) && random() < 0.6),
        ...(random() < 0.3 ? { metadata: { 'io.openshift.upgrades.graph.release.remove': 'false', note: `n${step}` } } : {}),
        ...(random() < 0.2 ? { metadata: { 'io.openshift.upgrades.graph.previous.add': pick(inMinor), 'io.openshift.upgrades.graph.previous.remove': pick(inMinor) } } : {}),
        ...(random() < 0.2 ? { next: [`4.${minor}.${100 + step + 1}`] } : {}),
      }]];
    case 'startRollout': {
      const doc = pick(input.graphData.channels);
      return ['startRollout', [actor, { channel: doc.name, version: doc.versions.length > 0 ? pick(doc.versions) : pick(versions), duration: '2h' }, Date.now()]];
    }
    case 'changeRollout': {
      const rollouts = input.graphData.rollouts ?? [];
      if (rollouts.length === 0) return ['createChannel', [actor, `extra-4.${minor}-${step}`]];
      const r = pick(rollouts);
      return ['changeRollout', [actor, r.channel, r.version, pick(['pause', 'resume', 'complete', 'abort']), Date.now()]];
    }
    case 'changeCanaries':
      return ['changeCanaries', [actor, pick(channels), 'add', [`00000000-0000-4000-8000-${String(step).padStart(12, '0')}`]]];
    case 'removeRelease': {
      const r = pick(input.releases);
      return ['removeRelease', [actor, r.version, r.arch, { force: true }]];
    }
    case 'addToChannel':
      return ['addToChannel', [actor, pick(channels), pick(versions)]];
    case 'removeFromChannel': {
      const doc = pick(input.graphData.channels);
      return ['removeFromChannel', [actor, doc.name, doc.versions.length > 0 ? pick(doc.versions) : pick(versions)]];
    }
    case 'createChannel':
      return ['createChannel', [actor, `extra-4.${minor}-${step}`]];
    case 'deleteChannel':
      // Not the last few: a graph with no bodies left would prove little.
      return channels.length > 6 ? ['deleteChannel', [actor, pick(channels)]] : ['createChannel', [actor, `extra-4.${minor}-${step}`]];
    case 'blockEdge':
      return ['blockEdge', [actor, { to: pick(inMinor), from: regex() }]];
    case 'addRisk':
      return ['addRisk', [actor, {
        to: pick(inMinor), from: regex(), url: `https://docs.example/kb/r${step}`, name: pick(['RiskA', 'RiskB', `Risk${step}`]),
        message: `risk of step ${step}`, matchingRules: random() < 0.5 ? [{ type: 'Always' }] : [{ type: 'PromQL', promql: { promql: `x{step="${step}"} == 1` } }],
      }]];
    case 'removeEdge': {
      const files = [...input.graphData.blockedEdges, ...input.graphData.conditionalEdges].map((e) => e.file);
      return files.length > 0 ? ['removeEdge', [actor, pick(files)]] : ['createChannel', [actor, `extra-4.${minor}-${step}`]];
    }
    case 'setRawMetadata':
      return ['setRawMetadata', [actor, pick(versions), pick(['io.openshift.upgrades.graph.previous.remove', 'note']), random() < 0.3 ? null : pick(versions)]];
  }
}

