#!/usr/bin/env node
// Entry point of the `kus` command: discovers the command modules in ./commands and runs one.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Command } from './command.js';
import { runCli } from './run.js';

async function loadCommands(): Promise<Command[]> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const commands: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { command?: Command; commands?: Command[] };
    if (mod.command) commands.push(mod.command);
    if (mod.commands) commands.push(...mod.commands);
  }
  return commands;
}

const commands = await loadCommands();
const code = await runCli(commands, process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;
