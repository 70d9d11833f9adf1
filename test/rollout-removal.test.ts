// No rollout outlives its version's place in a channel (docs/rollouts.md), whatever the path: `kus release remove
// --force` takes the version out of its channels and now its rollouts too; `kus mirror` only adds to a channel and
// keeps them (with --halt-on-stalled and the halt record, which export and import carry); a lenient graph-data read
// drops a rollout of a version its channel does not list, with the warning. Real SQLite stores, the real Publisher
// and Mirror, real files.
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readGraphData } from '../src/graph-data/read.js';
import { exportGraphData, importGraphData } from '../src/services/graph-data-service.js';
import { Mirror } from '../src/services/mirror.js';
import { Publisher, type Actor } from '../src/services/publisher.js';
import { openStore } from '../src/store/index.js';
import { payload } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

const alice: Actor = { name: 'alice' };
const T0 = Date.parse('2026-12-01T08:00:00Z');

function fixture(t: Test) {
  const dir = tempTree(t);
  const store = openStore(path.join(dir, 'kus.db'));
  t.teardown(() => store.close());
  const publisher = new Publisher({ store, rebuild: () => ({ ok: true }) });
  publisher.createChannel(alice, 'stable-4.9');
  publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9'] });
  publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['stable-4.9'] });
  publisher.startRollout(alice, { channel: 'stable-4.9', version: '4.9.1', duration: '48h', haltOnStalled: 3 }, T0);
  publisher.haltRollout({ name: 'rollout-halts' }, 'stable-4.9', '4.9.1', { stalled: 4, haltOnStalled: 3 }, T0 + 3600_000);
  return { dir, store, publisher };
}

t.test('kus mirror keeps the rollouts of the channel it adds to, with the rule and the halt; export and import carry them', async (t) => {
  const { dir, store, publisher } = fixture(t);
  const document = {
    version: 1,
    nodes: ['4.9.0', '4.9.1', '4.9.2'].map((version, i) => ({ version, payload: payload(i + 1), metadata: { 'io.openshift.upgrades.graph.release.channels': 'stable-4.9' } })),
    edges: [[0, 1], [1, 2]],
  };
  const mirrored = new Mirror({ store, rebuild: () => ({ ok: true }) }).apply(alice, { document, channel: 'stable-4.9', arch: 'amd64', source: 'test' });
  t.equal(mirrored.value.added, 1, '4.9.2 added');
  const [rollout] = publisher.listRollouts();
  t.match(rollout, { channel: 'stable-4.9', version: '4.9.1', state: 'paused', haltOnStalled: 3, halted: { at: T0 + 3600_000, stalled: 4, haltOnStalled: 3 } });

  const out = path.join(dir, 'export');
  exportGraphData(store, out);
  const copy = openStore(path.join(dir, 'copy.db'));
  t.teardown(() => copy.close());
  importGraphData(copy, { graphDataDir: out });
  t.same(copy.loadGraphInput().graphData.rollouts, publisher.listRollouts(), 'the rule and the halt survive export and import');
});

t.test('kus release remove --force removes the version from its channel and its rollout with it', async (t) => {
  const { dir, store, publisher } = fixture(t);
  const removed = publisher.removeRelease(alice, '4.9.1', 'amd64', { force: true });
  t.match(removed.warnings, ['removed 4.9.1 from channel stable-4.9']);
  t.same(publisher.listRollouts(), [], 'no rollout left behind');
  t.same(store.rollouts.list(), [], 'nor in the table');
  const out = path.join(dir, 'export');
  exportGraphData(store, out);
  const copy = openStore(path.join(dir, 'copy.db'));
  t.teardown(() => copy.close());
  t.doesNotThrow(() => importGraphData(copy, { graphDataDir: out }), 'the export reads back (a lingering rollout made it unreadable)');
});

t.test('a lenient graph-data read drops a rollout of a version the channel does not list, and says so', async (t) => {
  const dir = tempTree(t);
  mkdirSync(path.join(dir, 'channels'));
  mkdirSync(path.join(dir, 'rollouts'));
  mkdirSync(path.join(dir, 'blocked-edges'));
  mkdirSync(path.join(dir, 'raw'));
  writeFileSync(path.join(dir, 'raw', 'metadata.json'), '{}\n');
  writeFileSync(path.join(dir, 'version'), '1.2.0\n');
  writeFileSync(path.join(dir, 'channels', 'stable-4.9.yaml'), 'name: stable-4.9\nversions:\n  - 4.9.0\n');
  writeFileSync(path.join(dir, 'rollouts', 'stable-4.9.yaml'), [
    'channel: stable-4.9',
    'rollouts:',
    '  - { version: 4.9.0, start: 2026-12-01T08:00:00.000Z, startPercentage: 0, durationSeconds: 3600, state: active, haltOnStalled: 2 }',
    '  - { version: 4.9.1, start: 2026-12-01T08:00:00.000Z, startPercentage: 0, durationSeconds: 3600, state: active }',
    '',
  ].join('\n'));
  const lenient = readGraphData(dir, { strict: false });
  t.same(lenient.data.rollouts?.map((r) => [r.version, r.haltOnStalled]), [['4.9.0', 2]], 'only the listed version keeps its rollout');
  t.match(lenient.problems, [{ file: 'rollouts/stable-4.9.yaml', reason: 'channel "stable-4.9" does not list "4.9.1"', severity: 'warning' }]);
  const strict = readGraphData(dir, { strict: true });
  t.match(strict.problems, [{ file: 'rollouts/stable-4.9.yaml', severity: 'error' }], 'a strict read refuses it');
});

t.test('the halting keys of rollouts/<channel>.yaml are checked like the others', async (t) => {
  const dir = tempTree(t);
  for (const d of ['channels', 'rollouts', 'blocked-edges', 'raw']) mkdirSync(path.join(dir, d));
  writeFileSync(path.join(dir, 'raw', 'metadata.json'), '{}\n');
  writeFileSync(path.join(dir, 'version'), '1.2.0\n');
  writeFileSync(path.join(dir, 'channels', 'stable-4.9.yaml'), 'name: stable-4.9\nversions:\n  - 4.9.0\n');
  const rollout = (extra: string): string => `channel: stable-4.9\nrollouts:\n  - { version: 4.9.0, start: 2026-12-01T08:00:00.000Z, startPercentage: 0, durationSeconds: 3600, state: paused, pausedFraction: 0.5${extra} }\n`;
  const problems = (extra: string) => {
    writeFileSync(path.join(dir, 'rollouts', 'stable-4.9.yaml'), rollout(extra));
    return readGraphData(dir, { strict: true }).problems;
  };
  t.same(problems(', haltOnStalled: 2, halted: { at: 2026-12-01T09:00:00.000Z, stalled: 2, haltOnStalled: 2 }'), [], 'well-formed');
  t.match(problems(', haltOnStalled: 0'), [{ file: 'rollouts/stable-4.9.yaml', reason: 'rollouts[0].haltOnStalled "0" is not a whole number of at least 1' }]);
  t.match(problems(', halted: { at: yesterday, stalled: 2, haltOnStalled: 2 }'), [{ reason: /^rollouts\[0\]\.halted\.at "yesterday" is not an RFC 3339 UTC time/ }]);
  t.match(problems(', halted: { at: 2026-12-01T09:00:00.000Z, stalled: 2, why: x, haltOnStalled: 2 }'), [{ reason: /^rollouts\[0\]\.halted has unknown keys "why"/ }]);
});
