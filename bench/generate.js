// Deterministic generator of an OpenShift-scale graph-data directory (with KUS's releases/ extension) for the benchmark.
//
// The default shape is the size of today's upstream cincinnati-graph-data mirrored by a disconnected site (issue 9):
// 19 minors (4.1–4.19), ≈ 6,200 releases over amd64/arm64/s390x/ppc64le, 76 channels (candidate/fast/stable/eus
// per minor), ≈ 1,720 blocked-edge files of which ≈ 1,610 declare risks (PromQL rules with the usual
// `or 0 * group(...)` fallback, or Always), one file per (risk, target) as upstream writes them. `from` regexes
// are shaped like upstream's: anchored version alternations with an arch absorber (`^4[.]9[.](0|1|2)[+].*$`),
// whole-minor patterns (`^4[.]8[.].*$`), ranges (`^4[.]10[.]([0-9]|1[0-3])[+].*$`) and the odd `.*`.
//
// Command line (writes the tree, prints its statistics as JSON):
//   node bench/generate.js --out DIR [--seed 20260101] [--last-minor 19]
// DIR must be absent or empty. The same seed and last minor always give a byte-identical tree, so
// `kus import --db X --graph-data DIR` or `kus graph build --graph-data DIR` can be profiled run after run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

export const ARCHES = ['amd64', 'arm64', 's390x', 'ppc64le'];
export const DEFAULT_SEED = 20260101;
export const DEFAULT_LAST_MINOR = 19;

/** mulberry32: a tiny seeded PRNG, so the same seed always gives the same graph. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random, lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const sha = (text) => crypto.createHash('sha256').update(text).digest('hex');
/** How many of the previous minor's newest z-streams can update straight into the next minor. */
const TAIL = 10;
/** How many earlier z-streams of the same minor each release lists as `previous`. */
const WINDOW = 25;

/**
 * The release plan: per minor 4.1..4.<lastMinor>, pre-releases (ec from 4.12, fc for 4.9–4.11, rc for all, as
 * OpenShift named them) and 60–95 z-streams. Every amd64 release exists; other arches miss ~4 % of the
 * z-streams after the fifth (as real multi-arch builds sometimes do).
 */
function plan(random, lastMinor) {
  const minors = [];
  for (let minor = 1; minor <= lastMinor; minor++) {
    const pre = [];
    if (minor >= 12) for (let n = 0; n < 3; n++) pre.push(`4.${minor}.0-ec.${n}`);
    if (minor >= 9 && minor <= 11) for (let n = 0; n < 4; n++) pre.push(`4.${minor}.0-fc.${n}`);
    const rcCount = between(random, 4, 7);
    for (let n = 0; n < rcCount; n++) pre.push(`4.${minor}.0-rc.${n}`);
    const zCount = between(random, 60, 95);
    const zs = Array.from({ length: zCount }, (_, z) => `4.${minor}.${z}`);
    const arches = new Map();
    for (const arch of ARCHES) {
      arches.set(arch, new Set([...pre, ...zs].filter((v, i) => arch === 'amd64' || i < 5 || random() > 0.04)));
    }
    minors.push({ minor, pre, zs, arches });
  }
  return minors;
}

/**
 * previous = a window of up to WINDOW earlier z-streams of the same minor (the first GA also gets the
 * pre-releases) plus the tail (last TAIL z-streams) of the previous minor, as OpenShift's graph does for
 * cross-minor updates. Only releases that exist for the arch are listed.
 */
function previousOf(minors, index, version, arch) {
  const { pre, zs, arches } = minors[index];
  const p = pre.indexOf(version);
  const z = zs.indexOf(version);
  const same = p >= 0 ? pre.slice(0, p) : z === 0 ? pre : zs.slice(Math.max(0, z - WINDOW), z);
  const prev = same.filter((v) => arches.get(arch).has(v));
  if (index > 0) {
    const before = minors[index - 1];
    prev.push(...before.zs.slice(-TAIL).filter((v) => before.arches.get(arch).has(v)));
  }
  return prev;
}

/**
 * Channels (4 per minor), as upstream's hold the previous minor too: candidate-4.N = every 4.(N-1) z-stream,
 * the 4.N pre-releases and z-streams; fast-4.N = 4.(N-1) and 4.N z-streams but their newest 2; stable-4.N =
 * the same but the newest 5; eus-4.N = stable-4.(N-1) ∪ stable-4.N.
 */
function channelsOf(minors) {
  const channels = [];
  const stableOf = [];
  minors.forEach(({ minor, pre, zs }, i) => {
    const before = i > 0 ? minors[i - 1].zs : [];
    const stable = [...before.slice(0, -5), ...zs.slice(0, -5)];
    stableOf.push(stable);
    channels.push({ name: `candidate-4.${minor}`, versions: [...before, ...pre, ...zs] });
    channels.push({ name: `fast-4.${minor}`, versions: [...before.slice(0, -2), ...zs.slice(0, -2)] });
    channels.push({ name: `stable-4.${minor}`, versions: stable });
    channels.push({ name: `eus-4.${minor}`, versions: i > 0 ? [...new Set([...stableOf[i - 1], ...stable])] : stable });
  });
  return channels;
}

/** How each risk's `from` is written: mostly the z-streams before the regression, some whole previous minors, rarely `.*`. */
const SHAPES = [...Array(12).fill('alternation'), ...Array(6).fill('previous-minor'), ...Array(4).fill('both'), 'any'];

const TOPICS = [
  ['storage-driver', 'StorageDriverRegression', 'cluster_csi_driver_info'],
  ['parallel-fsync', 'CephParallelFsync', 'ceph_health_status'],
  ['keepalived-skew', 'KeepalivedMulticastSkew', 'cluster_infrastructure_provider'],
  ['kubelet-churn', 'MachineConfigRenderingChurn', 'cluster:usage:resources:sum'],
  ['sdn-migration', 'SDNLiveMigration', 'cluster_network_type'],
  ['boot-image', 'OldBootImageAfterburn', 'cluster_installer'],
  ['vsphere-hw', 'VSphereHardwareVersion', 'vsphere_node_hw_version_total'],
  ['seccomp-524', 'ARM64SeccompError524', 'node_uname_info'],
  ['ovn-ipsec', 'OVNIPsecRestart', 'ovnkube_master_ipsec_enabled'],
  ['insights-label', 'StaleInsightsRunLevel', 'cluster_operator_conditions'],
];

/** `0|1|...` for a short list, a character-class range like upstream's `([0-9]|1[0-3])` for a long one. */
function alternation(random, numbers) {
  if (numbers.length <= 6 || numbers[0] !== 0 || random() < 0.3) return numbers.join('|');
  const max = numbers[numbers.length - 1];
  if (max <= 9) return `[0-${max}]`;
  const parts = ['[0-9]'];
  for (let tens = 1; tens * 10 <= max; tens++) parts.push(tens * 10 + 9 <= max ? `${tens}[0-9]` : `${tens}[0-${max % 10}]`);
  return parts.join('|');
}

/** The `from` of one risk file: which releases updating into `to` are exposed. */
function riskFrom(random, minor, sources, shape) {
  const m1 = minor - 1;
  switch (shape) {
    case 'previous-minor': return `^4[.]${m1}[.].*$`;
    case 'both': return sources.length > 0 ? `^4[.](${m1}[.].*|${minor}[.](${alternation(random, sources)})[+].*)$` : `^4[.]${m1}[.].*$`;
    case 'any': return '.*';
    default: return sources.length > 0 ? `^4[.]${minor}[.](${alternation(random, sources)})[+].*$` : `^4[.]${m1}[.].*$`;
  }
}

function promql(metric) {
  return `group(${metric}{_id=""} > 0)\nor\n0 * group(cluster_version{_id=""})\n`;
}

/**
 * Risks per minor (from 4.2): 5–7 named risks, each on a run of 8–22 consecutive z-streams (the releases that
 * carry the bug), one file per target as upstream writes them (`4.10.12-parallel-fsync.yaml`); the exposed
 * sources are the z-streams before the run. ~80 % PromQL, ~20 % Always; a few carry `fixedIn`. Plain blocked
 * edges: 5–7 per minor, into a pre-release or a z-stream, from a couple of z-streams or `.*`.
 */
function edgesFiles(minors, random) {
  const blocked = [];
  const conditional = [];
  for (const { minor, pre, zs } of minors) {
    if (minor >= 2) {
      const riskCount = between(random, 5, 7);
      const topicStart = between(random, 0, TOPICS.length - 1);
      for (let r = 0; r < riskCount; r++) {
        const [slug, topic, metric] = TOPICS[(topicStart + r) % TOPICS.length];
        const name = `${topic}4${minor}`;
        const length = between(random, 8, 22);
        const first = between(random, 1, Math.max(1, zs.length - length - 1));
        const always = random() < 0.2;
        const shape = SHAPES[between(random, 0, SHAPES.length - 1)];
        // The z-streams just before the run, which lack the bug (upstream: `4[.]10[.]([0-3]|0-[fr]c[.][0-9])`); for an
        // early run sometimes all of them, written as a range.
        const count = first <= 14 && random() < 0.25 ? first : Math.min(first, between(random, 2, 6));
        const sources = Array.from({ length: count }, (_, k) => first - count + k);
        for (let z = first; z < Math.min(zs.length, first + length); z++) {
          const to = zs[z];
          const doc = {
            to,
            from: riskFrom(random, minor, sources, shape),
            url: `https://issues.example/browse/KYLIN-${minor * 1000 + r}`,
            name,
            message: `Clusters affected by ${topic} may degrade while updating to ${to}; see the linked issue for the workaround.`,
            matchingRules: always ? [{ type: 'Always' }] : [{ type: 'PromQL', promql: { promql: promql(metric) } }],
          };
          if (random() < 0.1) doc.fixedIn = zs[Math.min(zs.length - 1, first + length)];
          conditional.push({ file: `${to}-${slug}.yaml`, doc });
        }
      }
    }
    const targets = new Set();
    const plainCount = between(random, 5, 7);
    while (targets.size < plainCount) {
      const pick = random() < 0.3 ? pre[between(random, 1, pre.length - 1)] : zs[between(random, 3, zs.length - 1)];
      targets.add(pick);
    }
    for (const to of [...targets].sort()) {
      const z = zs.indexOf(to);
      const from = z < 0 || random() < 0.15 ? '.*' : `^4[.]${minor}[.](${z - 2}|${z - 1})[+].*$`;
      blocked.push({ file: `${to}.yaml`, doc: { to, from } });
    }
  }
  return { blocked, conditional };
}

/**
 * Writes the graph-data directory into `dir` (which must be empty or absent) and returns its statistics.
 * Same `seed` and `lastMinor` → byte-identical tree.
 */
export function generateGraphData(dir, { seed = DEFAULT_SEED, lastMinor = DEFAULT_LAST_MINOR, repo = 'quay.example/kylin/release' } = {}) {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; the generator writes into an empty or absent directory`);
  const random = rng(seed);
  const minors = plan(random, lastMinor);
  for (const sub of ['releases', 'channels', 'blocked-edges', 'raw']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'version'), '1.1.0\n');
  fs.writeFileSync(path.join(dir, 'raw', 'metadata.json'), '{}\n');
  let releases = 0;
  let previousEntries = 0;
  minors.forEach(({ pre, zs, arches }, index) => {
    for (const arch of ARCHES) {
      for (const version of [...pre, ...zs]) {
        if (!arches.get(arch).has(version)) continue;
        const previous = previousOf(minors, index, version, arch);
        const doc = {
          version,
          arch,
          payload: `${repo}@sha256:${sha(`${seed}/${version}+${arch}`)}`,
          previous,
          next: [],
          metadata: { url: `https://docs.example/errata/${version}` },
        };
        fs.writeFileSync(path.join(dir, 'releases', `${version}+${arch}.yaml`), stringify(doc));
        releases += 1;
        previousEntries += previous.length;
      }
    }
  });
  const channels = channelsOf(minors);
  for (const channel of channels) fs.writeFileSync(path.join(dir, 'channels', `${channel.name}.yaml`), stringify(channel));
  const { blocked, conditional } = edgesFiles(minors, random);
  for (const { file, doc } of [...blocked, ...conditional]) fs.writeFileSync(path.join(dir, 'blocked-edges', file), stringify(doc));
  const rules = (type) => conditional.filter(({ doc }) => doc.matchingRules[0].type === type).length;
  return {
    releases,
    arches: ARCHES.length,
    channels: channels.length,
    previousEntries,
    blockedEdgeFiles: blocked.length + conditional.length,
    blockedEdges: blocked.length,
    conditionalEdges: conditional.length,
    promqlRisks: rules('PromQL'),
    alwaysRisks: rules('Always'),
    riskNames: new Set(conditional.map(({ doc }) => doc.name)).size,
  };
}

function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      'last-minor': { type: 'string', default: String(DEFAULT_LAST_MINOR) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.out) {
    console.log('usage: node bench/generate.js --out DIR [--seed N] [--last-minor N]\n' +
      'Writes an OpenShift-scale graph-data tree (with releases/) into DIR (absent or empty) and prints its statistics.');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const seed = Number(values.seed);
  const lastMinor = Number(values['last-minor']);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got '${values.seed}')`);
  if (!Number.isInteger(lastMinor) || lastMinor < 2) throw new Error(`--last-minor must be an integer ≥ 2 (got '${values['last-minor']}')`);
  const stats = generateGraphData(path.resolve(values.out), { seed, lastMinor });
  console.log(JSON.stringify({ out: path.resolve(values.out), seed, lastMinor, ...stats }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`bench/generate: ${err.message}`);
    process.exitCode = 1;
  }
}
