// `kus --version`, `kus version` and /metrics kus_build_info name the same build; the version is read in one place.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const pkgVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

t.test('kus --version and kus version print the package version and the commit', async (t) => {
  for (const args of [['--version'], ['version']]) {
    const r = runKus(args);
    t.equal(r.status, 0, `kus ${args.join(' ')} exits 0: ${r.stderr}`);
    t.match(r.stdout, new RegExp(`^kus ${pkgVersion.replace(/\./g, '\\.')} \\(commit ([0-9a-f]{40}|unknown)\\)\n$`), `kus ${args.join(' ')}: ${r.stdout}`);
  }
  const json = runKus(['version', '--json']);
  t.equal(json.status, 0);
  const info = JSON.parse(json.stdout) as { version: string; commit: string };
  t.equal(info.version, pkgVersion);
  t.match(info.commit, /^([0-9a-f]{40}|unknown)$/);
  t.equal(runKus(['--version']).stdout, runKus(['version']).stdout, 'both spellings print the same');
});

t.test('/metrics has kus_build_info with the version and commit kus version prints', async (t) => {
  const info = JSON.parse(runKus(['version', '--json']).stdout) as { version: string; commit: string };
  const server = await serveChild(t, ['--db', path.join(tempTree(t), 'kus.db')]);
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('kus_build_info{'));
  t.ok(line, 'kus_build_info is exported');
  t.match(line, `version="${info.version}"`);
  t.match(line, `commit="${info.commit}"`);
  t.match(line, / 1$/, 'the gauge is 1');
});

t.test('the package version is read from package.json in one place', async (t) => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(repoRoot, 'src'));
  const readers = files.filter((f) => /'package\.json'/.test(readFileSync(f, 'utf8'))).map((f) => path.relative(repoRoot, f));
  t.same(readers, ['src/config/version.ts'], 'only src/config/version.ts opens package.json');
});
