#!/usr/bin/env -S node --max-semi-space-size=8 --v8-pool-size=0
// Entry point of the `kus` command: discovers the command modules in ./commands and runs one.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Command } from './command.js';
import { normalizeArgv, runCli } from './run.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

async function loadFiles(files: string[]): Promise<Command[]> {
  const commands: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { command?: Command; commands?: Command[] };
    if (mod.command) commands.push(mod.command);
    if (mod.commands) commands.push(...mod.commands);
  }
  return commands;
}

/**
 * A command lives in the file named by its words joined with "-" (`release add` → release-add.js), so a normal
 * call loads only that module — several pull in Fastify or OpenPGP, which would slow every command. Help for
 * several commands, and unknown words, load them all.
 */
async function loadCommands(argv: string[]): Promise<Command[]> {
  const files = readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map')).sort();
  const words = argv.slice(0, 2).filter((w) => !w.startsWith('-'));
  for (let n = words.length; n > 0; n--) {
    const stem = words.slice(0, n).join('-');
    const file = files.find((f) => f === `${stem}.js` || f === `${stem}.ts`);
    if (!file) continue;
    const commands = await loadFiles([file]);
    if (commands.some((c) => c.path.join(' ') === words.slice(0, n).join(' '))) return commands;
  }
  return loadFiles(files);
}

const args = normalizeArgv(process.argv.slice(2));
const commands = await loadCommands(args);
const code = await runCli(commands, args, { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;
