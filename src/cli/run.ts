// Parses argv for one of the declared commands and runs it; renders errors as `CODE: message`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { isKusError, KusError } from '../errors/index.js';
import { globalFlags, type Command, type FlagValues } from './command.js';
import { commandHelp, overviewHelp } from './help.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

function selectCommand(commands: Command[], argv: string[]): { cmd?: Command; rest: string[]; prefix: string[] } {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (best) return { cmd: best, rest: argv.slice(best.path.length), prefix: best.path };
  const words: string[] = [];
  for (const w of argv) {
    if (w.startsWith('-')) break;
    words.push(w);
  }
  while (words.length > 0 && !commands.some((c) => words.every((w, i) => c.path[i] === w))) words.pop();
  return { rest: argv, prefix: words };
}

/**
 * node:util's wording quotes with unbalanced single quotes ("as in '-- "--x"") and speaks of `<value>`; KUS says
 * the same in its own style: the offending word in double quotes, once.
 */
function parseErrorMessage(err: unknown, cmd: Command): string {
  const e = err as { code?: string; message?: string };
  const msg = typeof e.message === 'string' ? e.message : String(err);
  const option = /'(-[^' ]*)/.exec(msg)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && (option === '--server' || option === '--token') && cmd.flags.db) {
    return `kus ${cmd.path.join(' ')} works on a local store (--db FILE); it takes no ${option}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    return `unknown option ${JSON.stringify(option)}; a value that starts with "-" goes after "--", e.g. -- ${JSON.stringify(option)}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(msg)
      ? `option ${JSON.stringify(option)} needs a value`
      : /does not take an argument/.test(msg) ? `option ${JSON.stringify(option)} takes no value` : msg;
  }
  return msg;
}

/**
 * An explicit flag beats the environment: `--db FILE` in a shell that exported KUS_SERVER acts on the store (the
 * README makes the first token that way), `--server URL` with KUS_DB set acts on the server. With both only in the
 * environment the server wins, as KUS_DB is also read by `kus serve` and so often set in the same shell.
 */
function preferExplicitTarget(flags: FlagValues, fromEnv: Record<string, string>): void {
  const explicit = (name: string): boolean => flags[name] !== undefined && fromEnv[name] === undefined;
  const drop = (name: string): void => {
    if (fromEnv[name] === undefined) return;
    delete flags[name];
    delete fromEnv[name];
  };
  if (explicit('db') && fromEnv.server) {
    drop('server');
    drop('token');
  } else if (fromEnv.db && flags.server !== undefined) drop('db');
}

function parseFlags(cmd: Command, rest: string[], env: NodeJS.ProcessEnv): { flags: FlagValues; positionals: string[]; fromEnv: Record<string, string> } {
  const specs = { ...cmd.flags, ...globalFlags };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, s] of Object.entries(specs)) {
    options[name] = { type: s.type, multiple: s.multiple ?? false, ...(s.short ? { short: s.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new KusError('KUS_ERR_USAGE', `${parseErrorMessage(err, cmd)} (see "kus ${cmd.path.join(' ')} --help")`);
  }
  const flags = { ...parsed.values } as FlagValues;
  const fromEnv: Record<string, string> = {};
  if (flags.help) return { flags, positionals: parsed.positionals, fromEnv };
  for (const [name, s] of Object.entries(specs)) {
    if (flags[name] === undefined && s.env && env[s.env] !== undefined && env[s.env] !== '') {
      flags[name] = env[s.env];
      fromEnv[name] = s.env;
    }
  }
  preferExplicitTarget(flags, fromEnv);
  for (const [name, s] of Object.entries(specs)) {
    if (flags[name] === undefined && s.default !== undefined) flags[name] = s.default;
    if (s.required && flags[name] === undefined) {
      throw new KusError('KUS_ERR_USAGE', `--${name} is required (see "kus ${cmd.path.join(' ')} --help")`);
    }
  }
  const required = (cmd.positionals ?? []).filter((p) => p.required);
  if (parsed.positionals.length < required.length) {
    throw new KusError('KUS_ERR_USAGE', `missing ${required[parsed.positionals.length]!.name} (see "kus ${cmd.path.join(' ')} --help")`);
  }
  return { flags, positionals: parsed.positionals, fromEnv };
}

/** `kus --version` is `kus version`, the spelling most tools answer to. */
export function normalizeArgv(argv: string[]): string[] {
  return argv[0] === '--version' || argv[0] === '-V' ? ['version', ...argv.slice(1)] : argv;
}

/** Runs the CLI; returns the process exit code. */
export async function runCli(commands: Command[], args: string[], io: CliIo): Promise<number> {
  const argv = normalizeArgv(args);
  const { cmd, rest, prefix } = selectCommand(commands, argv);
  if (!cmd) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
    const scoped = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
    io[wantsHelp ? 'stdout' : 'stderr'].write(overviewHelp(scoped, prefix));
    if (wantsHelp) return 0;
    io.stderr.write(`KUS_ERR_USAGE: unknown command ${JSON.stringify(argv.filter((a) => !a.startsWith('-')).join(' '))}\n`);
    return 2;
  }
  const debug = rest.includes('--debug');
  try {
    const { flags, positionals, fromEnv } = parseFlags(cmd, rest, io.env);
    if (flags.help) {
      io.stdout.write(commandHelp(cmd));
      return 0;
    }
    const code = await cmd.run({ flags, positionals, json: flags.json === true, stdout: io.stdout, stderr: io.stderr, env: io.env, fromEnv });
    return code ?? 0;
  } catch (err) {
    if (isKusError(err)) {
      io.stderr.write(`${err.code}: ${err.message}\n`);
      if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
      return err.code === 'KUS_ERR_USAGE' ? 2 : 1;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    io.stderr.write(`KUS_ERR_INTERNAL: ${e.message}\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
