// A graph-data tree read from memory (a replica's sync, a bundle import) reads exactly as the same tree on disk, and the
// memos a build worker keeps across syncs and archives change nothing in what is read or written.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  GRAPH_DATA_DIRS, graphDataFiles, memoryTree, readGraphData, YamlMemo, YamlTextMemo, type GraphDataContent,
} from '../src/graph-data/index.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

/** Every file under dir, as readTar hands them over: clean relative paths and bytes. */
function filesOf(dir: string, rel = ''): Array<{ path: string; bytes: Uint8Array }> {
  const out: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const name of readdirSync(path.join(dir, rel))) {
    const p = rel === '' ? name : `${rel}/${name}`;
    if (statSync(path.join(dir, p)).isDirectory()) out.push(...filesOf(dir, p));
    else out.push({ path: p, bytes: readFileSync(path.join(dir, p)) });
  }
  return out;
}

const example = path.join(repoRoot, 'graph-data');

t.test('the example graph-data reads the same from memory as from its directory', async (t) => {
  const disk = readGraphData(example, { strict: true });
  const memory = readGraphData(memoryTree(filesOf(example), GRAPH_DATA_DIRS), { strict: true });
  t.ok(disk.releases.length >= 9, `${disk.releases.length} releases read`);
  t.same(memory, disk, 'same releases, graph-data and problems');
});

t.test('problems name the same files from memory as on disk', async (t) => {
  const tree = {
    version: '1.0.0\n',
    raw: { 'metadata.json': '{}' },
    channels: { 'stable-4.9.yaml': 'name: stable-4.9\nversions: [4.9.0]\n', 'notes.txt': 'x', 'fast-4.9.yml': 'name: fast-4.9\n' },
    'blocked-edges': { 'bad.yaml': 'to: [\n', 'two.yaml': 'to: 4.9.1\nfrom: a\n---\nto: 4.9.2\n', 'list.yaml': '- a\n' },
    releases: { '4.9.0+amd64.yaml': 'version: 4.9.0\narch: amd64\npayload: nowhere\n' },
  };
  const dir = tempTree(t, tree);
  for (const strict of [true, false]) {
    const disk = readGraphData(dir, { strict });
    t.ok(disk.problems.length >= 5, `strict ${strict}: ${disk.problems.length} problems on disk`);
    t.same(readGraphData(memoryTree(filesOf(dir), []), { strict }), disk, `strict ${strict}: the same problems from memory`);
  }
  // What a disk cannot hold, an archive can say: a file that is also a directory is not a regular file.
  const clash = readGraphData(memoryTree([...filesOf(dir), { path: 'channels/x.yaml', bytes: Buffer.from('name: x\n') }], ['channels/x.yaml']), { strict: true });
  t.match(clash.problems.find((p) => p.file === 'channels/x.yaml'), { reason: /not a regular file/, severity: 'error' });
  const missing = readGraphData(memoryTree([{ path: 'version', bytes: Buffer.from('1.0.0\n') }], []), { strict: true });
  t.match(missing.problems.find((p) => p.file === 'raw/metadata.json'), { reason: 'required file is missing' });
  t.match(missing.problems.find((p) => p.file === 'blocked-edges/'), { reason: 'required directory is missing' });
});

t.test('a memo of parsed YAML gives the same result on every read; what it shares is frozen', async (t) => {
  const files = filesOf(example);
  const memo = new YamlMemo();
  const plain = readGraphData(memoryTree(files, GRAPH_DATA_DIRS), { strict: true });
  const first = readGraphData(memoryTree(files, GRAPH_DATA_DIRS), { strict: true, memo });
  t.same(first, plain, 'the first read through the memo reads as without it');
  t.throws(() => first.releases[0]!.previous.push('9.9.9'), TypeError, 'a release it read cannot be changed, nor its lists');
  t.throws(() => { first.data.channels[0]!.versions.length = 0; }, TypeError, 'nor a channel');
  t.throws(() => { (first.data.conditionalEdges[0]!.risk as { name: string }).name = 'x'; }, TypeError, 'nor a risk');
  // Files read again with the same bytes (a new copy of them, as each archive brings) give the very same objects.
  const copies = files.map((f) => ({ path: f.path, bytes: Buffer.from(f.bytes) }));
  const second = readGraphData(memoryTree(copies, GRAPH_DATA_DIRS), { strict: true, memo });
  t.same(second, plain, 'the second read too');
  t.ok(second.releases.every((r, i) => r === first.releases[i]), 'the same release objects');
  t.ok(second.data.channels.every((c, i) => c === first.data.channels[i]), 'the same channel objects');
  t.ok(second.data.conditionalEdges.every((e, i) => e === first.data.conditionalEdges[i]), 'the same edge objects');
  t.equal(memo.parsedInRead, 0, 'and nothing parsed');
  // A file changed between two reads is parsed again; a bad file stays a problem from the memo too.
  const edited = files.map((f) => (f.path === 'channels/stable-4.9.yaml' ? { ...f, bytes: Buffer.from('name: stable-4.9\nversions: [4.9.0]\n') } : f));
  const third = readGraphData(memoryTree(edited, GRAPH_DATA_DIRS), { strict: true, memo });
  const stable = third.data.channels.find((c) => c.file === 'stable-4.9.yaml');
  t.same(stable?.versions, ['4.9.0'], 'a file whose bytes changed reads as it is now');
  t.not(stable, first.data.channels.find((c) => c.file === 'stable-4.9.yaml'), 'as a new object');
  t.equal(memo.parsedInRead, 1, 'only that file parsed');
  const changed = files.map((f) => (f.path === 'channels/stable-4.9.yaml' ? { ...f, bytes: Buffer.from('name: stable-4.9\nversions: [\n') } : f));
  for (let i = 0; i < 2; i++) {
    const read = readGraphData(memoryTree(changed, GRAPH_DATA_DIRS), { strict: true, memo });
    t.match(read.problems.find((p) => p.file === 'channels/stable-4.9.yaml'), { reason: /is not valid YAML/ }, `read ${i + 1}: the changed file is refused`);
  }
});

t.test('a memo of written YAML writes the same files, also for values JSON cannot tell apart', async (t) => {
  const { data, releases } = readGraphData(example, { strict: true });
  const content: GraphDataContent = { data, releases };
  const memo = new YamlTextMemo();
  const plain = graphDataFiles(content);
  for (let i = 0; i < 3; i++) {
    memo.startWrite();
    t.same(graphDataFiles(content, memo), plain, `archive ${i + 1}: the same files`);
  }
  // NaN and null, -0 and 0 are one JSON text but two YAML texts.
  const odd = (extra: Record<string, unknown>): GraphDataContent => ({ data: { ...data, channels: [{ ...data.channels[0]!, extra }] }, releases });
  for (const [a, b] of [[{ x: Number.NaN }, { x: null }], [{ x: -0 }, { x: 0 }], [{ x: Number.POSITIVE_INFINITY }, { x: null }]] as const) {
    memo.startWrite();
    const withA = graphDataFiles(odd(a), memo);
    const withB = graphDataFiles(odd(b), memo);
    t.same(withA, graphDataFiles(odd(a)), `${String(a.x)}: written as without the memo`);
    t.same(withB, graphDataFiles(odd(b)), `${String(b.x)}: written as without the memo`);
    t.not(withA.find((f) => f.path.startsWith('channels/'))!.text, withB.find((f) => f.path.startsWith('channels/'))!.text);
  }
});
