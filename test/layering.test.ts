// The import rules of docs/architecture.md as `npm run lint` applies them: ESLint's layering blocks (checked on
// in-memory probe files, so nothing is written into src/) and the cycle check (dpdm, on a scratch tree).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import t from 'tap';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The messages `npm run lint` gives for a file with this content at this path. */
async function lintProbe(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

t.test('the CLI reaches the store and the server only through the composition root\'s index', async (t) => {
  t.match(await lintProbe('src/cli/probe.ts', "import { openStore } from '../store/index.js';\nexport const x = openStore;\n"),
    [/no-restricted-imports.*the CLI talks to services/], 'src/cli may not import src/store');
  t.match(await lintProbe('src/cli/commands/probe.ts', "import { buildApp } from '../../server/app.js';\nexport const x = buildApp;\n"),
    [/no-restricted-imports.*the CLI talks to services/], 'src/cli may not import src/server');
  t.match(await lintProbe('src/cli/probe.ts', "import { startServer } from '../compose/server.js';\nexport const x = startServer;\n"),
    [/no-restricted-imports.*src\/compose\/index\.ts only/], 'nor a file inside src/compose');
  t.same(await lintProbe('src/cli/probe.ts', "import { startServer } from '../compose/index.js';\nexport const x = startServer;\n"), [],
    'src/compose/index.ts is the allowed way in');
});

t.test('nothing below the CLI imports the composition root, and no file sits outside every rule', async (t) => {
  for (const dir of ['services', 'server', 'store', 'graph']) {
    t.match(await lintProbe(`src/${dir}/probe.ts`, "import { startServer } from '../compose/index.js';\nexport const x = startServer;\n"),
      [/no-restricted-imports/], `src/${dir} may not import src/compose`);
  }
  t.match(await lintProbe('src/probe.ts', 'export const x = 1;\n'), [/put this file in a folder of src\/ that has an import rule/],
    'a file directly in src/ fails lint');
  t.match(await lintProbe('src/compose/probe.ts', "import { x } from '../cli/output.js';\nexport const y = x;\n"),
    [/no-restricted-imports.*below the CLI/], 'the composition root does not import the CLI');
});

t.test('lint:cycles fails on an import cycle, a type-only one included', async (t) => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(pkg.scripts.lint, /npm run lint:cycles/, 'npm run lint runs the cycle check');
  const script = pkg.scripts['lint:cycles']!;
  t.match(script, /^dpdm .*--exit-code circular:1 'src\/\*\*\/\*\.ts' 'src\/\*\*\/\*\.tsx'$/, 'over every file of src/');
  t.notMatch(script, /(-T|--transform)\b/, 'type-only imports count');

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kus-cycles-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const dpdm = path.join(root, 'node_modules', '.bin', 'dpdm');
  const run = (cwd: string) => promisify(execFile)(`${dpdm} ${script.replace(/^dpdm /, '')}`, { cwd, shell: true }).then(() => 0, (err: { code?: number }) => err.code ?? -1);
  const src = path.join(scratch, 'src');
  mkdirSync(src);
  // dpdm maps './x.js' to './x.ts' through the tsconfig's NodeNext resolution, as tsc does.
  writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  writeFileSync(path.join(src, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b;\n");
  writeFileSync(path.join(src, 'b.ts'), 'export const b = 1;\n');
  t.equal(await run(scratch), 0, 'no cycle: exit 0');
  writeFileSync(path.join(src, 'b.ts'), "import type { a } from './a.js';\nexport const b = 1;\nexport type A = typeof a;\n");
  t.equal(await run(scratch), 1, 'a cycle through a type-only import: exit 1');
  t.equal(await run(root), 0, 'src/ has no cycle');
});
