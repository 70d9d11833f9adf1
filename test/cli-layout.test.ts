// The CLI loads one module per call by file name: every command must live in the file named by its words.
import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '../src/cli/command.js';
import { repoRoot } from './helpers/shared.js';

t.test('each command file is named by its words joined with "-"', async (t) => {
  const dir = path.join(repoRoot, 'src', 'cli', 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 10);
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { command?: Command };
    t.ok(mod.command, `${f} exports a command`);
    t.equal(`${mod.command!.path.join('-')}.ts`, f, `${mod.command!.path.join(' ')} is in ${f}`);
  }
});
