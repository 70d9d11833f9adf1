// How a CLI command is declared: flags as data so that --help can teach, and one run function.
import type { Writable } from 'node:stream';

export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Repeatable flag: the value is a string[]. */
  multiple?: boolean;
  short?: string;
  /** Shown in help as --flag VALUE. */
  valueName?: string;
  default?: string | boolean;
  /** Environment variable read when the flag is absent. */
  env?: string;
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  flags: FlagValues;
  positionals: string[];
  /** --json was given: print exactly one JSON document on stdout. */
  json: boolean;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Flags whose value came from an environment variable, with its name: errors they cause name the variable. */
  fromEnv: Record<string, string>;
}

export interface Command {
  /** Words that select the command, e.g. ['graph', 'build']. */
  path: string[];
  summary: string;
  /** Longer text for --help: what it does and why you would use it. */
  description?: string;
  positionals?: PositionalSpec[];
  flags: Record<string, FlagSpec>;
  examples?: string[];
  /** Returns the exit code (default 0). Throws KusError for failures. */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Flags every command understands. */
export const globalFlags: Record<string, FlagSpec> = {
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  debug: { type: 'boolean', description: 'print stack traces on errors' },
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
};

/** The flags of commands that act on a local store or on a running server. */
export const targetFlags: Record<string, FlagSpec> = {
  db: { type: 'string', valueName: 'FILE', env: 'KUS_DB', description: 'act on this local SQLite store (default ./data/kus.db)' },
  server: { type: 'string', valueName: 'URL', env: 'KUS_SERVER', description: 'act on a running KUS server instead of a local store' },
  token: { type: 'string', valueName: 'TOKEN', env: 'KUS_TOKEN', description: 'admin bearer token for --server' },
};

export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(flags: FlagValues, name: string): string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The local store a command names: --db (or KUS_DB, named in messages), else the default ./data/kus.db. */
export function storeOptions(ctx: Pick<CommandContext, 'flags' | 'fromEnv' | 'stderr'>, create: boolean): StoreOptions {
  return {
    db: stringFlag(ctx.flags, 'db'),
    from: ctx.fromEnv.db ?? '--db',
    create,
    // A write run in the wrong directory would otherwise leave a stray ./data/kus.db nobody knows of.
    onCreated: (file) => ctx.stderr.write(`kus: created a new store at ${file}\n`),
  };
}

export interface StoreOptions {
  db: string | undefined;
  from: string;
  create: boolean;
  onCreated: (file: string) => void;
}
