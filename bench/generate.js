// Deterministic generator of an OpenShift-scale graph-data directory (with KUS's releases/ extension) for the benchmark.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export const ARCHES = ['amd64', 'arm64', 's390x', 'ppc64le'];

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

const sha = (text) => crypto.createHash('sha256').update(text).digest('hex');
/** How many of the previous minor's newest z-streams lead into the next minor (and are in its channels). */
const TAIL = 10;

/**
 * The release plan: per minor 4.1..4.<lastMinor>, four release candidates and 30–50 z-streams. Every
 * amd64 release exists; other arches miss ~4 % of z-streams (as real multi-arch builds sometimes do).
 */
function plan(random, lastMinor) {
  const minors = [];
  for (let minor = 1; minor <= lastMinor; minor++) {
    const rcs = [0, 1, 2, 3].map((n) => `4.${minor}.0-rc.${n}`);
    const zCount = 30 + Math.floor(random() * 21);
    const zs = Array.from({ length: zCount }, (_, z) => `4.${minor}.${z}`);
    const arches = new Map();
    for (const arch of ARCHES) {
      const present = new Set([...rcs, ...zs].filter((v, i) => arch === 'amd64' || i < 5 || random() > 0.04));
      arches.set(arch, present);
    }
    minors.push({ minor, rcs, zs, arches });
  }
  return minors;
}

/**
 * previous = a window of up to 25 earlier releases of the same minor (z-streams; the first GA also gets the
 * release candidates) plus the tail (last 10 z-streams) of the previous minor, as OpenShift's graph does
 * for cross-minor updates. Only releases that exist for the arch are listed.
 */
function previousOf(minors, index, version, arch) {
  const { rcs, zs, arches } = minors[index];
  const rc = rcs.indexOf(version);
  const z = zs.indexOf(version);
  const same = rc >= 0 ? rcs.slice(0, rc) : z === 0 ? rcs : zs.slice(Math.max(0, z - 25), z);
  const prev = same.filter((v) => arches.get(arch).has(v));
  if (index > 0) {
    const before = minors[index - 1];
    prev.push(...before.zs.slice(-TAIL).filter((v) => before.arches.get(arch).has(v)));
  }
  return prev;
}

/**
 * Channels (4 per minor): candidate-4.N = all 4.N releases + the last TAIL of 4.(N-1); fast-4.N = GA 4.N
 * z-streams but the newest 2, + the same tail; stable-4.N = fast minus the newest 3 more; eus-4.N =
 * stable-4.N plus all of stable 4.(N-1).
 */
function channelsOf(minors) {
  const channels = [];
  const stableOf = [];
  minors.forEach(({ minor, rcs, zs }, i) => {
    const tail = i > 0 ? minors[i - 1].zs.slice(-TAIL) : [];
    const fast = [...tail, ...zs.slice(0, -2)];
    const stable = [...tail, ...zs.slice(0, -5)];
    stableOf.push(stable);
    channels.push({ name: `candidate-4.${minor}`, versions: [...tail, ...rcs, ...zs] });
    channels.push({ name: `fast-4.${minor}`, versions: fast });
    channels.push({ name: `stable-4.${minor}`, versions: stable });
    const eus = i > 0 ? [...new Set([...stableOf[i - 1], ...stable])] : stable;
    channels.push({ name: `eus-4.${minor}`, versions: eus });
  });
  return channels;
}

/** A conditional-edge document: one risk with a PromQL rule and an Always fallback. */
function risk(to, from, name, minor) {
  return {
    to,
    from,
    url: `https://docs.example/kb/${name.toLowerCase()}`,
    name,
    message: `Clusters affected by ${name} may fail to update to ${to}.`,
    matchingRules: [
      { type: 'PromQL', promql: { promql: `group(kylin_risk_present{risk="${name}",minor="${minor}"} == 1)\nor\n0 * group(up)` } },
      { type: 'Always' },
    ],
  };
}

/**
 * Every third minor: a blocked edge into one z-stream from its two predecessors. Every fourth: a risk on
 * the updates into one z-stream from its three predecessors, and a second risk on one of those paths (so
 * some served groups carry two risks).
 */
function edgesFiles(minors, random) {
  const blocked = [];
  const conditional = [];
  for (const { minor, zs } of minors) {
    if (minor % 3 === 0) {
      const z = 5 + Math.floor(random() * (zs.length - 6));
      blocked.push({ file: `4.${minor}.${z}.yaml`, doc: { to: `4.${minor}.${z}`, from: `^4\\.${minor}\\.(${z - 2}|${z - 1})[+].*$` } });
    }
    if (minor % 4 === 2) {
      const z = 6 + Math.floor(random() * (zs.length - 7));
      const to = `4.${minor}.${z}`;
      conditional.push({ file: `${to}-storage.yaml`, doc: risk(to, `^4\\.${minor}\\.(${z - 3}|${z - 2}|${z - 1})[+].*$`, `Kylin${minor}StorageDriver`, minor) });
      conditional.push({ file: `${to}-zz-network.yaml`, doc: risk(to, `^4\\.${minor}\\.${z - 1}[+].*$`, `Kylin${minor}NetworkPolicy`, minor) });
    }
  }
  return { blocked, conditional };
}

/**
 * Writes the graph-data directory into `dir` (which must be empty or absent) and returns its statistics.
 * Same `seed` and `lastMinor` → byte-identical tree.
 */
export function generateGraphData(dir, { seed = 20260101, lastMinor = 20, repo = 'quay.example/kylin/release' } = {}) {
  const random = rng(seed);
  const minors = plan(random, lastMinor);
  for (const sub of ['releases', 'channels', 'blocked-edges', 'raw']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'version'), '1.1.0\n');
  fs.writeFileSync(path.join(dir, 'raw', 'metadata.json'), '{}\n');
  let releases = 0;
  let previousEntries = 0;
  minors.forEach(({ rcs, zs, arches }, index) => {
    for (const arch of ARCHES) {
      for (const version of [...rcs, ...zs]) {
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
  return { releases, arches: ARCHES.length, channels: channels.length, previousEntries, blockedEdges: blocked.length, conditionalEdges: conditional.length };
}
