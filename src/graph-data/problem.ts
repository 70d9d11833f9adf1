// Problems found while reading a graph-data directory; each names the file (relative path) and the reason.

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Path relative to the graph-data directory, with "/" separators; a directory ends in "/". */
  file: string;
  reason: string;
  severity: Severity;
}

/**
 * Collects problems with the severity rules of docs/graph-data.md:
 * - `fatal`: upstream fails the whole build too (missing required part, bad `version`, bad raw metadata) → always an error;
 * - `refuse`: upstream skips or tolerates the file, KUS refuses it on import → error when strict, warning when lenient;
 * - `warn`: tolerated everywhere, but a person should hear about it → always a warning.
 */
export class ProblemList {
  readonly items: Problem[] = [];

  constructor(readonly strict: boolean) {}

  fatal(file: string, reason: string): void {
    this.items.push({ file, reason, severity: 'error' });
  }

  refuse(file: string, reason: string): void {
    this.items.push({ file, reason, severity: this.strict ? 'error' : 'warning' });
  }

  warn(file: string, reason: string): void {
    this.items.push({ file, reason, severity: 'warning' });
  }
}

/** One line per problem, `file: reason`, as error messages and CLI output show them. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}: ${p.reason}`).join('\n');
}
