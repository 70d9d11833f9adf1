// Output of the publishing commands: aligned tables for people, the exact value as JSON with --json, warnings on stderr.
import { writeJson, type CommandContext } from './command.js';
import { openTarget, type TargetOptions } from './open-target.js';
import { closeAfter, type Outcome, type Target } from './target.js';

/** Columns padded to their widest cell; the last column is not padded so lines carry no trailing blanks. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Prints an outcome: `--json` gives exactly the value (what the admin API answers as `value`), otherwise the
 * human text. Warnings always go to stderr, one `warning:` line each, so stdout stays one JSON document.
 */
export function emit<T>(ctx: CommandContext, outcome: Outcome<T>, human: (value: T) => string): void {
  for (const w of outcome.warnings) ctx.stderr.write(`warning: ${w}\n`);
  if (ctx.json) writeJson(ctx.stdout, outcome.value);
  else ctx.stdout.write(human(outcome.value));
}

/** Opens the store or server the flags name, runs fn, closes the store whatever happened. */
export async function withTarget<T>(ctx: CommandContext, options: TargetOptions, fn: (target: Target) => Promise<T>): Promise<T> {
  return closeAfter(openTarget(ctx, options), fn);
}

/** A version as clusters and channels see it, with the arch of the stored release: `4.9.15+arm64`. */
export const releaseName = (r: { version: string; arch: string | null }): string => (r.arch ? `${r.version}+${r.arch}` : r.version);
