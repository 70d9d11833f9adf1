// Renders --help text from command declarations.
import { globalFlags, type Command, type FlagSpec } from './command.js';

function flagLine(name: string, spec: FlagSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
  const notes: string[] = [];
  if (spec.multiple) notes.push('repeatable');
  if (spec.required) notes.push('required');
  if (spec.default !== undefined && spec.default !== false) notes.push(`default ${String(spec.default)}`);
  if (spec.env) notes.push(`env ${spec.env}`);
  const left = `  ${short}--${name}${value}`;
  const suffix = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  return `${left.padEnd(34)} ${spec.description}${suffix}`;
}

export function commandHelp(cmd: Command): string {
  const pos = (cmd.positionals ?? []).map((p) => (p.required ? p.name : `[${p.name}]`)).join(' ');
  const lines = [`Usage: kus ${cmd.path.join(' ')}${pos ? ` ${pos}` : ''} [flags]`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  if (cmd.positionals && cmd.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(32)} ${p.description}`);
  }
  lines.push('', 'Flags:');
  for (const [name, spec] of Object.entries(cmd.flags)) lines.push(flagLine(name, spec));
  for (const [name, spec] of Object.entries(globalFlags)) lines.push(flagLine(name, spec));
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
  lines.push('', 'Run "kus <command> --help" for the flags of one command.');
  return `${lines.join('\n')}\n`;
}
