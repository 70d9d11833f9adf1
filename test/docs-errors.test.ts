// Keeps docs/errors.md in step with src/errors: every code and upstream kind documented, with its status.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCodes, upstreamKinds } from '../src/errors/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8');

/** Table rows of the form "| `NAME` | STATUS | ..." → NAME → STATUS (as written). */
function documentedStatuses(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([A-Za-z_]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return rows;
}

const rows = documentedStatuses(doc);

t.test('every KUS error code is documented with its status', async (t) => {
  for (const [code, { status }] of Object.entries(errorCodes)) {
    t.equal(rows.get(code), String(status), `docs/errors.md has a row for ${code} with status ${status}`);
  }
});

t.test('docs/errors.md lists no code that codes.ts lacks', async (t) => {
  const documented = [...rows.keys()].filter((name) => name.startsWith('KUS_ERR_'));
  t.ok(documented.length > 0, 'the page has a table of codes');
  t.same(documented.filter((name) => !(name in errorCodes)), [], 'no stale codes');
});

t.test('every upstream {kind,value} kind of the graph API is documented with its status', async (t) => {
  for (const [kind, { status }] of Object.entries(upstreamKinds)) {
    t.equal(rows.get(kind), String(status), `docs/errors.md has a row for ${kind} with status ${status}`);
  }
});
