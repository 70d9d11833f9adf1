// `kus <verb> --help` for every command: exit 0, usage line, every declared flag and argument, and the examples.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '../src/cli/command.js';
import { runKus, type CliResult } from './helpers/run-cli.js';
import { repoRoot } from './helpers/shared-fixtures.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

// The declarations are read from the same build the binary runs, so that flags and help come from one source.
const dir = path.join(repoRoot, 'dist/cli/commands');
const commands: Command[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { command?: Command; commands?: Command[] };
  if (mod.command) commands.push(mod.command);
  if (mod.commands) commands.push(...mod.commands);
}

const publishing = [
  'release add', 'release list', 'release show', 'release remove',
  'channel list', 'channel create', 'channel delete', 'channel add', 'channel remove',
  'edge block', 'edge risk', 'edge list', 'edge remove',
  'token create', 'token list', 'token revoke', 'audit',
];

t.test('every publishing verb exists', async (t) => {
  const paths = new Set(commands.map((c) => c.path.join(' ')));
  for (const p of publishing) t.ok(paths.has(p), `kus ${p}`);
});

/** Runs `kus ... --help` for every command, a few at a time: one process each is slow on a busy machine. */
async function allHelp(): Promise<Map<Command, CliResult>> {
  const out = new Map<Command, CliResult>();
  const queue = [...commands];
  const worker = async (): Promise<void> => {
    for (let cmd = queue.shift(); cmd; cmd = queue.shift()) {
      const { stdout, stderr, status } = await new Promise<CliResult>((resolve) => {
        execFile(process.execPath, [cli, ...cmd!.path, '--help'], { env: { ...process.env, KUS_DB: '', KUS_SERVER: '', KUS_TOKEN: '' } },
          (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
      });
      out.set(cmd, { stdout, stderr, status });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return out;
}

const help = await allHelp();

for (const cmd of commands) {
  const name = cmd.path.join(' ');
  t.test(`kus ${name} --help`, async (t) => {
    const r = help.get(cmd)!;
    t.equal(r.status, 0, 'exit 0');
    t.equal(r.stderr, '');
    t.match(r.stdout, new RegExp(`^Usage: kus ${name} `), 'usage line');
    t.match(r.stdout, cmd.summary);
    for (const flag of Object.keys(cmd.flags)) t.match(r.stdout, new RegExp(`--${flag}\\b`), `mentions --${flag}`);
    for (const p of cmd.positionals ?? []) t.match(r.stdout, p.name, `mentions ${p.name}`);
    for (const flag of ['--json', '--help']) t.match(r.stdout, flag);
    // Each flag's block: its line and the wrapped lines below it, up to the next flag.
    const flagsSection = r.stdout.split('\nFlags:\n')[1]!.split('\n\n')[0]!.split('\n');
    const blocks: string[][] = [];
    for (const line of flagsSection) {
      if (/^ {2}(-\w, | {4})--/.test(line)) blocks.push([line]);
      else blocks.at(-1)!.push(line);
    }
    const column = Math.min(...flagsSection.map((l) => /^(.*?--\S+(?: \S+)? {2,})\S/.exec(l)?.[1]?.length ?? Infinity));
    for (const block of blocks) {
      const flag = /--\S+/.exec(block[0]!)![0];
      const text = block.join(' ');
      t.ok((text.match(/repeatable/g) ?? []).length <= 1, `${flag}: "repeatable" said once`);
      for (const env of new Set(text.match(/\bKUS_[A-Z_]+/g) ?? [])) {
        t.notMatch(text, new RegExp(`env ${env}[^)]*\\) \\(env ${env}\\)`), `${flag}: no second (env ${env}) note`);
      }
      // The description starts in the common column: on the flag's line, or alone on the next when the flag is wide.
      // (A flag wider than the column, e.g. --rollout-check-interval DURATION, has its description on the next line.)
      const onFlagLine = !/^\s*--\S+(?: [A-Z_]+)?$/.test(block[0]!);
      const first = onFlagLine ? block[0]! : block[1] ?? block[0]!;
      t.match(first.slice(column - 2, column), /^ {2}$/, `${flag}: description starts at column ${column}, not squeezed against the flag`);
      for (const line of block) t.ok(line.length <= 100 || !/\s\S+\s/.test(line.slice(column)), `${flag}: line within 100 columns: ${line}`);
    }
    if (publishing.includes(name)) {
      t.match(r.stdout, /\nExamples:\n {2}kus /, 'has examples');
      t.ok(cmd.description && cmd.description.length > 60, 'has a description');
      for (const flag of ['--db FILE', '--server URL', '--token TOKEN']) t.match(r.stdout, flag);
      t.match(r.stdout, /env KUS_SERVER/);
    }
  });
}

t.test('help says what a reader needs to know', async (t) => {
  t.match(runKus(['channel', 'add', '--help']).stdout, 'kus channel add fast-4.9', 'channel add teaches promotion');
  t.match(runKus(['release', 'add', '--help']).stdout, /does not see|keeps serving the graph it built/, 'local writes warn about a running server');
  t.match(runKus(['token', 'create', '--help']).stdout, /first token is made locally/);
  const overview = runKus(['--help']);
  t.equal(overview.status, 0);
  for (const p of publishing) t.match(overview.stdout, new RegExp(`\\n {2}${p}\\s`), `overview lists ${p}`);
  const group = runKus(['channel']);
  t.equal(group.status, 2, 'a group without a verb is a usage error');
  t.match(group.stdout + group.stderr, /channel add/);
});

t.test('an unknown option is named once, in balanced quotes', async (t) => {
  const r = runKus(['release', 'add', '--bogus']);
  t.equal(r.status, 2);
  t.match(r.stderr, /^KUS_ERR_USAGE: unknown option "--bogus"/);
  t.equal((r.stderr.match(/"/g) ?? []).length % 2, 0, `double quotes balanced: ${r.stderr}`);
  t.notMatch(r.stderr, /'/, 'no single quotes (node:util\'s unbalanced wording)');
  const missing = runKus(['release', 'list', '--db']);
  t.match(missing.stderr, /^KUS_ERR_USAGE: option "--db" needs a value/);
});

t.test('kus bundle export --help lists only the flags it accepts', async (t) => {
  const r = runKus(['bundle', 'export', '--help']);
  t.notMatch(r.stdout, /--server|--token/, 'no --server/--token: the bundle is signed with a key unlocked here');
  t.match(r.stdout, /--db FILE/);
  const refused = runKus(['bundle', 'export', '--server', 'http://127.0.0.1:9', '--out', 'x.tar.gz', '--store-url', 'http://x/']);
  t.equal(refused.status, 2);
  t.match(refused.stderr, /works on a local store \(--db FILE\); it takes no --server/);
});

t.test('kus serve --help: no note twice, no flag overflowing into its description', async (t) => {
  const r = runKus(['serve', '--help']);
  t.notMatch(r.stdout, /\(env KUS_REQUIRE_SIGNATURES=true\) \(env KUS_REQUIRE_SIGNATURES\)/);
  t.notMatch(r.stdout, /\(env KUS_ADMIN_TOKEN_FILE\) \(env KUS_ADMIN_TOKEN_FILE\)|KUS_ADMIN_TOKEN_FILE\) \(env KUS_ADMIN_TOKEN_FILE\)/);
  t.notMatch(r.stdout, /repeatable[^\n]*\(repeatable\)/);
  t.notMatch(r.stdout, /--signing-passphrase-file FILE \S/, 'the widest flag does not run into its description');
});
