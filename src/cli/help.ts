// Renders --help text from command declarations.
import { globalFlags, type Command, type FlagSpec } from './command.js';

/** Help is read in terminals; flag descriptions are wrapped to this width. */
export const HELP_WIDTH = 100;
/** A flag column wider than this pushes its description to the next line instead of squeezing every description. */
const MAX_FLAG_COLUMN = 34;

function flagLeft(name: string, spec: FlagSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
  return `  ${short}--${name}${value}`;
}

/**
 * The notes derived from the declaration (repeatable, required, default, env). A description that already says one
 * (e.g. "env KUS_REQUIRE_SIGNATURES=true", which also says what the value is) is not told it twice.
 */
function flagNotes(spec: FlagSpec): string {
  const notes: string[] = [];
  if (spec.multiple) notes.push('repeatable');
  if (spec.required) notes.push('required');
  if (spec.default !== undefined && spec.default !== false) notes.push(`default ${String(spec.default)}`);
  if (spec.env) notes.push(`env ${spec.env}`);
  const missing = notes.filter((n) => !spec.description.includes(n));
  return missing.length > 0 ? `(${missing.join(', ')})` : '';
}

/** Words of a description, with "env NAME" kept as one unit wherever it is said. */
function units(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/)) {
    if (out.length > 0 && /(^|\()env$/.test(out.at(-1)!)) out[out.length - 1] = `${out.at(-1)!} ${word}`;
    else out.push(word);
  }
  return out;
}

/** Greedy word wrap; a unit longer than the width (a URL) stays whole on its own line. */
export function wrap(text: string | string[], width: number): string[] {
  const units = typeof text === 'string' ? text.split(/\s+/) : text;
  const lines: string[] = [];
  let line = '';
  for (const word of units.filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function flagLines(flags: Array<[string, FlagSpec]>): string[] {
  const lefts = flags.map(([name, spec]) => flagLeft(name, spec));
  const column = Math.min(MAX_FLAG_COLUMN, Math.max(...lefts.map((l) => l.length))) + 2;
  const out: string[] = [];
  flags.forEach(([, spec], i) => {
    const left = lefts[i]!;
    // The notes stay on one line, so that "env KUS_SERVER" can be searched for.
    const text = wrap([...units(spec.description), flagNotes(spec)], HELP_WIDTH - column);
    const indent = ' '.repeat(column);
    if (left.length + 2 > column) out.push(left, ...text.map((t) => indent + t));
    else out.push(left.padEnd(column) + (text[0] ?? ''), ...text.slice(1).map((t) => indent + t));
  });
  return out;
}

export function commandHelp(cmd: Command): string {
  const pos = (cmd.positionals ?? []).map((p) => (p.required ? p.name : `[${p.name}]`)).join(' ');
  const lines = [`Usage: kus ${cmd.path.join(' ')}${pos ? ` ${pos}` : ''} [flags]`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  if (cmd.positionals && cmd.positionals.length > 0) {
    lines.push('', 'Arguments:');
    const column = Math.max(...cmd.positionals.map((p) => p.name.length)) + 4;
    for (const p of cmd.positionals) {
      const text = wrap(p.description, HELP_WIDTH - column);
      lines.push(`  ${p.name.padEnd(column - 2)}${text[0] ?? ''}`, ...text.slice(1).map((t) => ' '.repeat(column) + t));
    }
  }
  lines.push('', 'Flags:', ...flagLines([...Object.entries(cmd.flags), ...Object.entries(globalFlags)]));
  if (cmd.examples && cmd.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of cmd.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

export function overviewHelp(commands: Command[], prefix: string[] = []): string {
  const lines = [
    prefix.length > 0 ? `Usage: kus ${prefix.join(' ')} <command> [flags]` : 'Usage: kus <command> [flags]',
    '',
    'Kylin Update Service: a Cincinnati-compatible OpenShift update service for custom distributions.',
    '',
    'Commands:',
  ];
  const sorted = [...commands].sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')));
  for (const c of sorted) lines.push(`  ${c.path.join(' ').padEnd(26)} ${c.summary}`);
  lines.push('', 'Run "kus <command> --help" for the flags of one command.', 'Run "kus --version" for the version.');
  return `${lines.join('\n')}\n`;
}
