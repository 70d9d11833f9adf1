// holdTickObjectShapes keeps V8's feedback for Node's nextTick queue entries on its fast path across full GCs
// (src/server/tick-shapes.ts says why). Checked in child processes with V8's own %DebugPrint of nextTick's feedback;
// the control run, without the hold, shows the loss the hold prevents.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { heldTickObjects } from '../src/server/tick-shapes.js';
import { startServer } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const module = pathToFileURL(path.join(repoRoot, 'dist/server/tick-shapes.js')).href;

/** The IC states of the object-literal property definitions in nextTick after ticks, full GCs with none queued, and ticks. */
function literalStates(hold: boolean): string[] {
  const script = `
    ${hold ? `(await import(${JSON.stringify(module)})).holdTickObjectShapes();` : ''}
    const round = () => new Promise((resolve) => {
      let n = 0;
      const step = () => { if (++n < 2000) process.nextTick(step, n); else resolve(); };
      process.nextTick(step);
    });
    for (let i = 0; i < 5; i++) {
      await round();
      await new Promise((resolve) => setTimeout(resolve, 5));
      globalThis.gc();
      globalThis.gc();
    }
    await round();
    eval('%DebugPrint(process.nextTick)');
  `;
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return [...run.stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
}

t.test('without the hold, full GCs with no entry queued leave nextTick on the megamorphic path', async (t) => {
  const states = literalStates(false);
  t.ok(states.length >= 3, `nextTick's literal has its property definitions (${states.join(' ')})`);
  t.ok(states.includes('MEGAMORPHIC'), `at least one went megamorphic: ${states.join(' ')}`);
});

t.test('with the hold, every property definition of the entry stays monomorphic', async (t) => {
  const states = literalStates(true);
  t.ok(states.length >= 3, `nextTick's literal has its property definitions (${states.join(' ')})`);
  t.same([...new Set(states)], ['MONOMORPHIC'], states.join(' '));
});

t.test('kus serve holds the entries on its serving thread', async (t) => {
  const dir = tempTree(t);
  const server = await startServer(loadConfig({ db: path.join(dir, 'kus.db'), host: '127.0.0.1', port: '0', logLevel: 'silent' }));
  t.teardown(() => server.close());
  t.ok(heldTickObjects() >= 1, `${heldTickObjects()} queue entries held`);
});
