// holdTickObjectShapes keeps V8's feedback for Node's nextTick queue entries on its fast path across full GCs
// (src/server/tick-shapes.ts says why). Checked in child processes with V8's own %DebugPrint of nextTick's feedback;
// the control run, without the hold, shows the loss the hold prevents.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { heldTickObjects } from '../src/server/tick-shapes.js';
import { startServer } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { nodeChild } from './helpers/node-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const module = pathToFileURL(path.join(repoRoot, 'dist/server/tick-shapes.js')).href;

/**
 * The IC states of the object-literal property definitions in nextTick after ticks, full GCs with none queued, and
 * ticks, read from one child process whose stdout is the file `out`.
 */
function literalStates(out: string, hold: boolean): string[] {
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
  // Through a file (nodeChild): printed into a pipe under tap, the output was cut short, without the feedback.
  const printed = nodeChild(out, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { ...process.env, NODE_OPTIONS: '' });
  return [...printed.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
}

/** The states read from each of `children` child processes (literalStates). */
function readings(t: Parameters<typeof tempTree>[0], hold: boolean, children: number): string[][] {
  const out = path.join(tempTree(t), 'stdout');
  return Array.from({ length: children }, () => literalStates(out, hold));
}

const printed = (seen: string[][]): boolean => seen.every((states) => states.length >= 3);
const shown = (seen: string[][]): string => seen.map((states) => states.join(' ')).join(' | ');

// Without the hold the loss depends on where the full GCs fall: here 36 of 40 children lost the shapes when idle, about
// 3 in 4 under load. Six children make a control where none loses them about as likely as one in 4,000 (0.25^6).
t.test('without the hold, full GCs with no entry queued leave nextTick on the megamorphic path', async (t) => {
  const seen = readings(t, false, 6);
  t.ok(printed(seen), `every child printed nextTick's literal feedback: ${shown(seen)}`);
  const lost = seen.filter((states) => states.includes('MEGAMORPHIC')).length;
  t.ok(lost >= 1, `${lost} of ${seen.length} children went megamorphic: ${shown(seen)}`);
});

// With the hold, no child may lose them: 40 of 40 kept them here, idle and under load.
t.test('with the hold, every property definition of the entry stays monomorphic', async (t) => {
  const seen = readings(t, true, 4);
  t.ok(printed(seen), `every child printed nextTick's literal feedback: ${shown(seen)}`);
  t.same([...new Set(seen.flat())], ['MONOMORPHIC'], shown(seen));
});

t.test('kus serve holds the entries on its serving thread', async (t) => {
  const dir = tempTree(t);
  const server = await startServer(loadConfig({ db: path.join(dir, 'kus.db'), host: '127.0.0.1', port: '0', logLevel: 'silent' }));
  t.teardown(() => server.close());
  t.ok(heldTickObjects() >= 1, `${heldTickObjects()} queue entries held`);
});
