// Fresh temp directories filled from a nested object (like t.testdir, but any number per test), removed at teardown.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FileTree {
  [name: string]: string | FileTree;
}

interface Teardown {
  teardown(fn: () => void): void;
}

function fill(dir: string, tree: FileTree): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const target = path.join(dir, name);
    if (typeof value === 'string') writeFileSync(target, value);
    else fill(target, value);
  }
}

export function tempTree(t: Teardown, tree: FileTree = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kus-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  fill(dir, tree);
  return dir;
}
