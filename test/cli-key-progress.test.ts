// `kus key generate` writes the public key only where told (--out) or prints it; long operations show progress on a
// terminal's stderr and stay silent with --json or when stderr is not a terminal (a pseudo-terminal from script(1)).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runKus } from './helpers/run-cli.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
const PASSPHRASE = { KUS_SIGNING_PASSPHRASE: 'progress test passphrase' };
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const noScript = hasScript ? false : 'script(1) from util-linux is not installed: no pseudo-terminal to test progress with';

/** Runs kus on a pseudo-terminal (stdout and stderr both are the terminal); returns everything it printed. */
function onTerminal(args: string[], cwd: string): { status: number | null; output: string } {
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', quoted, '/dev/null'], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...PASSPHRASE, KUS_DB: '', KUS_SERVER: '' } });
  // The terminal's escape character made visible, so that expectations can name it.
  return { status: r.status, output: r.stdout.replaceAll('\u001b', '<ESC>') };
}

t.test('on a terminal: the key generation shows progress, the public key is printed, nothing lands in the working directory', { skip: noScript }, async (t) => {
  const cwd = tempTree(t);
  const db = path.join(tempTree(t), 'kus.db');
  const r = onTerminal(['key', 'generate', '--name', 'kylin-2026', '--email', 'release@kylin.example', '--db', db], cwd);
  t.equal(r.status, 0, r.output);
  t.match(r.output, /\r<ESC>\[Kgenerating a 3072-bit RSA key … \d+s/, 'a progress line with the elapsed time');
  t.match(r.output, /\r<ESC>\[Kgenerated key kylin-2026/, 'the line is cleared before the result');
  t.match(r.output, /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*-----END PGP PUBLIC KEY BLOCK-----/, 'the public key is printed');
  t.same(readdirSync(cwd), [], 'no signatures/keys/ (nor anything else) in the working directory');
});

t.test('--out FILE gets the public key; without a terminal nothing but the result is printed', async (t) => {
  const dir = tempTree(t);
  const db = path.join(dir, 'kus.db');
  const out = path.join(dir, 'kylin-2026.asc');
  const r = runKus(['key', 'generate', '--name', 'kylin-2026', '--email', 'release@kylin.example', '--db', db, '--out', out, '--json'], PASSPHRASE);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, `kus: created a new store at ${db}\n`, 'no progress on a stderr that is a pipe');
  const value = JSON.parse(r.stdout) as { publicKey: string; publicKeyFile: string };
  t.equal(value.publicKeyFile, out);
  t.equal(readFileSync(out, 'utf8').trim(), value.publicKey.trim(), '--out holds the public key');
  t.equal(runKus(['key', 'export', 'kylin-2026', '--db', db]).stdout.trim(), value.publicKey.trim(), 'kus key export prints the same key');
  t.notOk(existsSync(path.join(repoRoot, 'signatures', 'keys', 'kylin-2026.asc')), 'not written into signatures/keys/');

  const missing = runKus(['key', 'generate', '--name', 'other', '--email', 'o@kylin.example', '--db', db, '--out', path.join(dir, 'no', 'k.asc')], PASSPHRASE);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /^KUS_ERR_IO: --out ".*no\/k\.asc": the directory ".*\/no" does not exist/);
  t.notMatch(runKus(['key', 'list', '--db', db]).stdout, /\bother\b/, 'no key is made when its file cannot be written');
});

t.test('kus import shows progress on a terminal, and none with --json', { skip: noScript }, async (t) => {
  const cwd = tempTree(t);
  const shown = onTerminal(['import', '--db', path.join(cwd, 'a.db'), '--graph-data', path.join(repoRoot, 'graph-data')], cwd);
  t.equal(shown.status, 0, shown.output);
  t.match(shown.output, /\r<ESC>\[Kimporting .*graph-data: reading graph-data, building the graph and writing the store … \d+s/);
  const quiet = onTerminal(['import', '--db', path.join(cwd, 'b.db'), '--graph-data', path.join(repoRoot, 'graph-data'), '--json'], cwd);
  t.equal(quiet.status, 0, quiet.output);
  t.notMatch(quiet.output, /<ESC>\[K|importing/, '--json: no progress even on a terminal');
  const piped = runKus(['import', '--db', path.join(cwd, 'c.db'), '--graph-data', path.join(repoRoot, 'graph-data')]);
  t.notMatch(piped.stderr, /importing/, 'stderr not a terminal: no progress');
  t.notOk(piped.stderr.includes('\u001b'), 'and no escape sequences');
});
