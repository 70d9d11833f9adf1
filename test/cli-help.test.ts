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
