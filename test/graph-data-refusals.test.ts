// Graph-data that upstream would read quietly but that would mislead an operator is refused, naming the file and the
// offending key or value: in `kus import`, in `kus bundle import` and in a replica's sync. An alias bomb or a symlink
// out of the tree is refused without reading it into an error.
import t, { type Test } from 'tap';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { bundleManifestText } from '../src/graph-data/index.js';
import { readTar, writeTar, type TarFile } from '../src/tar/index.js';
import { Follower } from '../src/services/follow.js';
import { signDetached, unlockPrivateKey } from '../src/signatures/index.js';
import { openStore } from '../src/store/index.js';
import { runKus } from './helpers/run-cli.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree, type FileTree } from './helpers/temp-tree.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;

const good: FileTree = {
  version: '1.1.0\n',
  raw: { 'metadata.json': '{}' },
  channels: { 'stable-1.0.yaml': 'name: stable-1.0\nversions: [1.0.0, 1.0.1]\n' },
  'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: ^1[.]0[.]0[+]\n' },
  releases: {
    '1.0.0+amd64.yaml': `version: 1.0.0\narch: amd64\npayload: r.example/x@${digest('a')}\n`,
    '1.0.1+amd64.yaml': `version: 1.0.1\narch: amd64\npayload: r.example/x@${digest('b')}\nprevious: [1.0.0]\n`,
  },
};
const withFiles = (changes: FileTree): FileTree => {
  const tree: FileTree = { ...good };
  for (const [k, v] of Object.entries(changes)) tree[k] = typeof v === 'string' ? v : { ...(good[k] as FileTree), ...v };
  return tree;
};

/** A plain blocked edge with one stray key: upstream ignores the file, so 1.0.0 → 1.0.1 would be served. */
const strayKey = { 'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: ^1[.]0[.]0[+]\nfixedIn: 1.0.2\n' } };

const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

function importInto(t: Test, tree: FileTree): { status: number | null; stderr: string; db: string } {
  const db = path.join(tempTree(t), 'kus.db');
  const r = runKus(['import', '--db', db, '--graph-data', tempTree(t, tree)]);
  return { status: r.status, stderr: r.stderr, db };
}

t.test('kus import refuses, naming the file and the key or value', async (t) => {
  const cases: Array<[string, FileTree, string, RegExp]> = [
    ['stray key', strayKey, 'blocked-edges/1.0.1.yaml', /has unknown key "fixedIn", so it is neither a blocked edge .* upstream would ignore the whole file and NOT block "1\.0\.1"/],
    ['two stray keys', { 'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: .*\nnote: x\nowner: y\n' } }, 'blocked-edges/1.0.1.yaml', /has unknown keys "note", "owner"/],
    ['a typo for to', { 'blocked-edges': { '1.0.1.yaml': '_to: 1.0.1\nfrom: .*\n' } }, 'blocked-edges/1.0.1.yaml', /has unknown key "_to", and matches neither/],
    ['half a risk', { 'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: .*\nurl: https://e.x/kb\nname: R\n' } }, 'blocked-edges/1.0.1.yaml', /lacks message, matchingRules/],
    ['channel named unlike its file', { channels: { 'stable-1.0.yaml': 'name: fast-1.0\nversions: [1.0.0]\n' } }, 'channels/stable-1.0.yaml',
      /name "fast-1\.0" differs from the file name "stable-1\.0\.yaml"; clusters would see channel "fast-1\.0"/],
    ['alias bomb', { channels: { 'stable-1.0.yaml': `${bomb}\nname: stable-1.0\nversions: []\n` } }, 'channels/stable-1.0.yaml', /cannot be read as YAML: .*alias/i],
  ];
  for (const [name, changes, file, reason] of cases) {
    const r = importInto(t, withFiles(changes));
    t.equal(r.status, 1, `${name}: exit 1`);
    t.match(r.stderr, /^KUS_ERR_GRAPH_DATA: refusing to import /, `${name}: coded, not KUS_ERR_INTERNAL`);
    t.match(r.stderr.split('\n').find((l) => l.startsWith(`${file}: `)), reason, `${name}: names ${file} and why`);
  }
  // Conditional edges keep their extra keys (fixedIn, autoExtend) as upstream does.
  const risk = 'url: https://e.x/kb\nname: Risk\nmessage: Beware.\nmatchingRules:\n- type: Always\nfixedIn: 1.0.2\n';
  const ok = importInto(t, withFiles({ 'blocked-edges': { '1.0.1.yaml': `to: 1.0.1\nfrom: .*\n${risk}` } }));
  t.equal(ok.status, 0, ok.stderr);
});

t.test('a lenient build reproduces upstream: the stray-key file is skipped with a warning', async (t) => {
  const r = runKus(['graph', 'build', '--graph-data', tempTree(t, withFiles(strayKey)), '--json']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout + r.stderr, /blocked-edges\/1\.0\.1\.yaml: has unknown key "fixedIn"/);
});

t.test('a cycle names the release files that declare it', async (t) => {
  const r = importInto(t, withFiles({ releases: { '1.0.0+amd64.yaml': `version: 1.0.0\narch: amd64\npayload: r.example/x@${digest('a')}\nprevious: [1.0.1]\n` } }));
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_CYCLE: the update graph would contain a cycle: .*; its edges come from the previous\/next of "releases\/1\.0\.0\+amd64\.yaml", "releases\/1\.0\.1\+amd64\.yaml" in "/);
  const cyclic = tempTree(t, withFiles({ releases: { '1.0.0+amd64.yaml': `version: 1.0.0\narch: amd64\npayload: r.example/x@${digest('a')}\nprevious: [1.0.1]\n` } }));
  const built = runKus(['graph', 'build', '--graph-data', cyclic]);
  t.equal(built.status, 1);
  t.match(built.stderr, /^KUS_ERR_CYCLE: .*"releases\/1\.0\.0\+amd64\.yaml", "releases\/1\.0\.1\+amd64\.yaml"/, 'kus graph build names them too');
});

t.test('symlinks out of the tree are refused without echoing the target', async (t) => {
  const outside = tempTree(t, {
    'secret.txt': 'TOP-SECRET-3f9a: do not print\n',
    'channel.yaml': 'name: stable-1.0\nversions: [1.0.0]\n',
  });
  const cases: Array<[string, string, string]> = [
    ['version', 'secret.txt', 'version'],
    ['raw/metadata.json', 'secret.txt', 'raw/metadata.json'],
    ['channels/stable-1.0.yaml', 'channel.yaml', 'channels/stable-1.0.yaml'],
    ['releases/1.0.0+amd64.yaml', 'secret.txt', 'releases/1.0.0+amd64.yaml'],
  ];
  for (const [link, target, file] of cases) {
    const dir = tempTree(t, good);
    const at = path.join(dir, link);
    rmSync(at);
    symlinkSync(path.join(outside, target), at);
    const db = path.join(tempTree(t), 'kus.db');
    const r = runKus(['import', '--db', db, '--graph-data', dir]);
    t.equal(r.status, 1, `${link}: refused`);
    t.match(r.stderr, `${file}: cannot be read: it is a symbolic link that leads outside the graph-data directory`, `${link}: names the file`);
    t.notMatch(r.stderr, /TOP-SECRET|do not print/, `${link}: the target's content is not echoed`);
    t.notMatch(r.stderr, outside, `${link}: nor its path`);
  }
  // A link that stays inside the tree is a normal file.
  const dir = tempTree(t, withFiles({ channels: { 'stable-1.0.yaml': 'name: stable-1.0\nversions: [1.0.0]\n' } }));
  writeFileSync(path.join(dir, 'stable.txt'), 'name: stable-1.1\nversions: [1.0.1]\n');
  symlinkSync('../stable.txt', path.join(dir, 'channels', 'stable-1.1.yaml'));
  const inside = runKus(['import', '--db', path.join(tempTree(t), 'kus.db'), '--graph-data', dir]);
  t.equal(inside.status, 0, inside.stderr);
});

t.test('a replica refuses a primary\'s graph-data holding a stray-key file, and keeps its snapshot', async (t) => {
  const files: TarFile[] = [];
  const add = (rel: string, node: FileTree | string): void => {
    if (typeof node === 'string') files.push({ path: rel, bytes: Buffer.from(node) });
    else for (const [k, v] of Object.entries(node)) add(rel ? `${rel}/${k}` : k, v);
  };
  add('', withFiles(strayKey));
  const body = gzipSync(await writeTar(files, ['channels', 'blocked-edges', 'releases', 'raw']));
  const primary = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/gzip', etag: '"x"' });
    res.end(body);
  });
  await new Promise<void>((r) => primary.listen(0, '127.0.0.1', r));
  t.teardown(() => primary.close());
  const address = primary.address() as { port: number };
  const store = openStore(path.join(tempTree(t), 'replica.db'));
  t.teardown(() => store.close());
  const follower = new Follower({
    store, rebuild: () => ({ ok: true }), primary: `http://127.0.0.1:${address.port}`, intervalSeconds: 60,
    logger: { info() {}, warn() {}, error() {} },
  });
  await t.rejects(follower.sync(), { code: 'KUS_ERR_GRAPH_DATA', message: /blocked-edges\/1\.0\.1\.yaml: has unknown key "fixedIn"/ });
  t.equal(store.loadGraphInput().releases.length, 0, 'nothing was swapped in');
});

t.test('kus bundle import refuses a signed bundle holding a stray-key file', { timeout: 300_000 }, async (t) => {
  const PASSPHRASE = 'bundle refusal passphrase';
  const env = { KUS_SIGNING_PASSPHRASE: PASSPHRASE, KUS_TOKEN: '' };
  const dir = tempTree(t);
  const vendor = path.join(dir, 'vendor.db');
  const site = path.join(dir, 'site.db');
  const run = (args: string[]): string => {
    const r = runKus(args, env);
    t.equal(r.status, 0, `kus ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  run(['import', '--graph-data', path.join(repoRoot, 'graph-data'), '--db', vendor]);
  run(['key', 'generate', '--name', 'vendor', '--email', 'release@vendor.example', '--db', vendor]);
  writeFileSync(path.join(dir, 'vendor.asc'), run(['key', 'export', 'vendor', '--db', vendor]));
  run(['key', 'import', path.join(dir, 'vendor.asc'), '--db', site]);
  const bundle = path.join(dir, 'bundle.tar.gz');
  run(['bundle', 'export', '--out', bundle, '--store-url', 'https://kus.site.example/api/upgrades_info/signatures', '--db', vendor]);

  // The vendor's own key re-signs a bundle whose blocked edge gained a stray key: only the content check can refuse it.
  const { files, directories } = await readTar(gunzipSync(readFileSync(bundle)), 'bundle');
  const edge = files.find((f) => /^graph-data\/blocked-edges\/[^/]+\.yaml$/.test(f.path) && !/\nurl:/.test(`\n${Buffer.from(f.bytes).toString()}`));
  t.ok(edge, 'the example data has a plain blocked edge');
  const changed = files.filter((f) => f.path !== 'manifest.json' && f.path !== 'manifest.json.sig')
    .map((f) => (f === edge ? { ...f, bytes: Buffer.concat([Buffer.from(f.bytes), Buffer.from('fixedIn: 9.9.9\n')]) } : f));
  const manifest = bundleManifestText({ createdAt: new Date().toISOString(), creator: 'test', channels: [], arches: [] }, changed);
  const vendorStore = openStore(vendor);
  const key = vendorStore.signingKeys.list()[0]!;
  vendorStore.close();
  const signature = await signDetached(manifest, await unlockPrivateKey(key.privateKey!, PASSPHRASE, key.name), new Date());
  const tampered = path.join(dir, 'resigned.tar.gz');
  writeFileSync(tampered, gzipSync(await writeTar([...changed, { path: 'manifest.json', bytes: manifest }, { path: 'manifest.json.sig', bytes: signature }], directories)));

  const r = runKus(['bundle', 'import', tampered, '--db', site], env);
  t.equal(r.status, 1);
  const file = edge!.path.slice('graph-data/'.length);
  t.match(r.stderr, /^KUS_ERR_BUNDLE: the graph-data in .* does not read/);
  t.match(r.stderr, `${file}: has unknown key "fixedIn"`);
  const s = openStore(site);
  t.equal(s.loadGraphInput().releases.length, 0, 'nothing was imported');
  s.close();
});
