// The graph-data documents a build reads keep one hidden class each from the store to a publish's plan, whatever full
// collections run between (src/graph/shapes.ts says why), and a run of publishes through the build worker no longer
// throws away the engine's compiled code again and again. Both are read from V8 itself in child processes: its
// %HaveSameMap, and its --trace-deopt-verbose report of each deoptimization with its source position.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { channelDoc, graphDataOf, withVersions, type GraphData } from '../src/graph/index.js';
import { nodeChild } from './helpers/node-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const NODE24_ADDONS = /--import[= ]\S*node24-addons\.mjs/.exec(process.env.NODE_OPTIONS ?? '')?.[0] ?? '';
const dist = (file: string): string => JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', file)).href);

/**
 * Runs `script` (an ES module, from a file: the build worker inherits the child's flags, and `--input-type` is refused
 * in a thread) in a child node with `flags`; returns its stdout.
 */
function child(dir: string, flags: string[], script: string): string {
  const file = path.join(dir, 'child.mjs');
  fs.writeFileSync(file, script);
  // Without tap's NODE_OPTIONS (its tracker in every thread), but with scripts/node24.sh's SQLite for Node 24.
  return nodeChild(path.join(dir, 'stdout'), [...flags, file], { ...process.env, NODE_OPTIONS: NODE24_ADDONS }, 120_000);
}

/** A store of six minors on four architectures, with channels, risks and a block, written by the child to `file`. */
const seedStore = (file: string): string => `
  const { openStore } = await import(${dist('store/index.js')});
  const ARCHES = ['amd64', 'arm64', 's390x', 'ppc64le'];
  const digest = (n) => 'sha256:' + n.toString(16).padStart(64, '0');
  const releases = [], channels = [], conditionalEdges = [], blockedEdges = [];
  let n = 0;
  for (let minor = 1; minor <= 6; minor++) {
    const zs = Array.from({ length: 40 }, (_, z) => '4.' + minor + '.' + z);
    for (const arch of ARCHES) {
      zs.forEach((version, z) => {
        const previous = zs.slice(Math.max(0, z - 15), z);
        if (minor > 1) for (let k = 34; k < 40; k++) previous.push('4.' + (minor - 1) + '.' + k);
        releases.push({ version, arch, payload: 'quay.example/kylin/release@' + digest(++n), digest: digest(n), metadata: { url: 'https://docs.example/' + version }, previous, next: [] });
      });
    }
    for (const name of ['candidate', 'fast', 'stable']) channels.push({ file: name + '-4.' + minor + '.yaml', name: name + '-4.' + minor, versions: zs, ...(name === 'fast' ? { extra: { feeder: 'candidate' } } : {}) });
    for (let z = 8; z < 40; z++) {
      conditionalEdges.push({ file: '4.' + minor + '.' + z + '-risk.yaml', to: '4.' + minor + '.' + z, from: '^4[.]' + minor + '[.](' + [z - 3, z - 2, z - 1].join('|') + ')([+].*)?$',
        risk: { url: 'https://docs.example/kb/' + minor + '-' + z, name: 'Risk' + minor + 'x' + z, message: 'Risk ' + minor + '.' + z, matchingRules: [{ type: 'Always' }] } });
    }
    blockedEdges.push({ file: '4.' + minor + '.9-block.yaml', to: '4.' + minor + '.9', from: '^4[.]' + minor + '[.]7[+]amd64$' });
  }
  const storeFile = ${JSON.stringify(file)};
  const seeded = openStore(storeFile);
  seeded.replaceAll({ releases, graphData: { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges, conditionalEdges, channels } });
  seeded.close();
`;

t.test('graphDataOf, channelDoc and withVersions keep every part, and leave out the optional ones not given', async (t) => {
  const parts: GraphData = { schemaVersion: '1.2.0', rawMetadata: [['4.1.0', { a: 'b' }]], blockedEdges: [], conditionalEdges: [], channels: [] };
  t.same(Object.keys(graphDataOf(parts)), ['schemaVersion', 'rawMetadata', 'blockedEdges', 'conditionalEdges', 'channels'], 'no rollouts or canaries keys without them');
  t.equal(graphDataOf(parts).rawMetadata, parts.rawMetadata, 'the parts themselves, not copies');
  const rollouts = [{ channel: 'stable-4.1', version: '4.1.2', state: 'active' as const, start: 1, startPercentage: 0, durationMs: 2, pausedFraction: null }];
  const canaries = [{ channel: 'stable-4.1', ids: ['c1'] }];
  t.strictSame(graphDataOf({ ...parts, rollouts }), { ...parts, rollouts }, 'rollouts alone');
  t.strictSame(graphDataOf({ ...parts, canaries }), { ...parts, canaries }, 'canaries alone');
  t.strictSame(graphDataOf({ ...parts, rollouts, canaries }), { ...parts, rollouts, canaries }, 'both');

  t.strictSame(channelDoc('a.yaml', 'a', ['4.1.0']), { file: 'a.yaml', name: 'a', versions: ['4.1.0'] }, 'a channel without extra keys has no extra');
  const extra = { feeder: 'candidate' };
  const doc = channelDoc('fast-4.1.yaml', 'fast-4.1', ['4.1.0'], extra);
  t.strictSame(withVersions(doc, ['4.1.0', '4.1.1']), { file: 'fast-4.1.yaml', name: 'fast-4.1', versions: ['4.1.0', '4.1.1'], extra }, 'withVersions keeps the extra keys');
  t.strictSame(doc.versions, ['4.1.0'], 'and leaves the document it started from as it was');
});

t.test('graph-data and a channel keep the hidden class the store read gave them through publish plans and full collections', async (t) => {
  const dir = tempTree(t);
  const script = `${seedStore(path.join(dir, 'kus.db'))}
    const { planAddRelease } = await import(${dist('services/publish/releases.js')});
    const { withGraphData } = await import(${dist('services/publish/plan.js')});
    const store = openStore(storeFile);
    const stored = store.loadGraphInput();
    let current = stored;
    const differ = [];
    for (let i = 0; i < 6; i++) {
      const plan = planAddRelease(current, { version: '4.6.' + (100 + i), arch: 'amd64', payload: 'quay.example/kylin/release@' + digest(90000 + i), previous: ['4.6.39'], channels: ['stable-4.6', 'fast-4.6'] });
      current = plan.candidate;
      // A collection with no object of an older plan alive: classes V8 derives at run time can die in it.
      globalThis.gc();
      globalThis.gc();
      if (!%HaveSameMap(current.graphData, stored.graphData)) differ.push('graph-data after plan ' + (i + 1));
      for (const name of ['stable-4.6', 'fast-4.6']) {
        const was = stored.graphData.channels.find((c) => c.name === name);
        const now = current.graphData.channels.find((c) => c.name === name);
        if (now === was || !%HaveSameMap(now, was)) differ.push(name + ' after plan ' + (i + 1));
      }
    }
    const edited = withGraphData(current, { blockedEdges: [] });
    globalThis.gc();
    if (!%HaveSameMap(edited.graphData, stored.graphData)) differ.push('graph-data after an edge write');
    store.close();
    process.stdout.write(JSON.stringify({ differ, plans: 6 }));
  `;
  const result = JSON.parse(child(dir, ['--allow-natives-syntax', '--expose-gc'], script)) as { differ: string[] };
  t.same(result.differ, [], 'the same hidden class as the store read, after every plan (a channel the release joined, with and without extra keys)');
});

// Measured with this seed store, 24 writes, Node 20: before src/graph/shapes.ts and the lists made by loops, the
// engine's code was deoptimized on a hidden class 13 times between the fourth and sixteenth writes (views, channels,
// conditional edges, each again and again as classes came and went); after, 0–1 times in 24 writes in each of seven
// runs on Node 20 and 24. At upstream scale each such deoptimization cost 20–130 ms of compiling again.
const MAX_LATE_DEOPTS = 4;

t.test('a run of publishes through the build worker does not keep deoptimizing the graph engine on hidden classes', async (t) => {
  const dir = tempTree(t);
  const script = `${seedStore(path.join(dir, 'kus.db'))}
    const { GraphCache } = await import(${dist('services/graph-cache.js')});
    const { GraphBuilder } = await import(${dist('services/graph-builder.js')});
    const silent = { info() {}, warn() {}, error() {} };
    const builder = new GraphBuilder({ storeFile, graphs: new GraphCache({ load: () => ({ releases: [] }), logger: silent }), logger: silent });
    if (!(await builder.rebuild()).ok) throw new Error('the first build failed');
    for (let i = 0; i < 24; i++) {
      await builder.write('addRelease', [{ name: 'tester' }, { version: '4.6.' + (100 + i), arch: ARCHES[i % 4], payload: 'quay.example/kylin/release@' + digest(90000 + i), previous: ['4.6.39'], channels: ['stable-4.6'] }]);
      process.stdout.write('\\nKUS-WRITE-DONE ' + (i + 1) + '\\n');
    }
    builder.close();
  `;
  const out = child(dir, ['--trace-deopt-verbose'], script);
  const lines = out.split('\n');
  let written = 0;
  const late: string[] = [];
  lines.forEach((line, i) => {
    const done = /^KUS-WRITE-DONE (\d+)$/.exec(line);
    if (done) written = Number(done[1]);
    const at = /;;; deoptimize at <[^>]*\/dist\/(graph\/[^>]*)>/.exec(line);
    // Deoptimizations while the first writes run are V8 learning the publish path's objects; after them, none should recur.
    if (at && written >= 3 && /reason: wrong map/.test(lines[i - 1] ?? '')) late.push(`write ${written + 1}: ${at[1]}`);
  });
  t.equal(written, 24, 'every write was answered');
  t.ok(out.includes(';;; deoptimize at'), 'the child reported deoptimizations (the trace works on this node)');
  t.ok(late.length <= MAX_LATE_DEOPTS, `${late.length} hidden-class deoptimizations of the engine after the third write (at most ${MAX_LATE_DEOPTS}): ${late.join('; ') || 'none'}`);
  const sites = late.map((l) => l.replace(/^write \d+: /, ''));
  t.equal(new Set(sites).size, sites.length, `no site deoptimized twice: ${sites.join('; ') || 'none'}`);
});
