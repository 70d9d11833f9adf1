// Most graph-data regexes are alternations of literal versions, e.g. `^4[.]9[.](0|1|2)[+].*$`,
// `^4[.]12[.](3|4)([+].*)?$` or `^4[.](9[.].*|10[.](47|48)[+].*)$`, often several joined by `|`. Those are answered
// with string comparisons: compiling each into an RE2 program costs 25–500 µs and ~10 KiB, times thousands per build,
// and running one costs microseconds per version (most of a build's time went there). Only a small grammar
// qualifies, whose Rust meaning is exact string logic (`^` = start of text, `$` = end of text, `.` = any character
// but \n, no flags); anything else returns null and goes to RE2. Written here because no library expands a regex
// into its finite set of literal prefixes with Rust's meaning; test/regex-dialect.test.ts checks it against Rust's crate.
import type { RustRegex } from './rust-regex.js';

/** One expanded alternative: `^`? literal (`.*`)? `$`?. */
interface Alternative {
  start: boolean;
  literal: string;
  dotStar: boolean;
  end: boolean;
}

/** A literal read so far, and whether it already ends in `.*` (nothing but `.*` may follow then). */
interface Partial {
  text: string;
  dotStar: boolean;
}

/** Bound on the alternatives a pattern expands to (groups and classes multiply them). */
const MAX_ALTERNATIVES = 256;
/** Bound on nested groups (the reader recurses); deeper patterns are left to RE2, which has its own limit. */
const MAX_DEPTH = 16;
const PLAIN = /[A-Za-z0-9_-]/;
/** `\.`, `[.]` and the like: one literal character. */
const ESCAPED = /\\([.+-])|\[([.+-])\]/y;
/** A class of ASCII letters or digits and ranges of them, such as `[0-9]` or `[a-cx]`; no negation, no set operations. */
const CLASS = /\[((?:[A-Za-z0-9](?:-[A-Za-z0-9])?)+)\]/y;
const RANGE = /([A-Za-z0-9])(?:-([A-Za-z0-9]))?/g;

const isQuantifier = (c: string | undefined): boolean => c === '*' || c === '+' || c === '?' || c === '{';
const EMPTY: Partial = { text: '', dotStar: false };

/** The characters a class stands for; null when a range is reversed or mixes digits and letters (RE2 decides those). */
function classChars(body: string): string[] | null {
  const chars: string[] = [];
  for (const [, lo, hi] of body.matchAll(RANGE)) {
    const from = lo!.charCodeAt(0);
    const to = (hi ?? lo!).charCodeAt(0);
    const kind = (c: number): string => (c <= 57 ? 'digit' : c <= 90 ? 'upper' : 'lower');
    if (to < from || kind(from) !== kind(to)) return null;
    for (let c = from; c <= to; c++) if (!chars.includes(String.fromCharCode(c))) chars.push(String.fromCharCode(c));
  }
  return chars;
}

/** Appends each choice to each partial; null past the bound, or when text would follow a `.*`. */
function combine(partials: Partial[], choices: Partial[]): Partial[] | null {
  if (partials.length * choices.length > MAX_ALTERNATIVES) return null;
  const out: Partial[] = [];
  for (const p of partials) {
    for (const c of choices) {
      if (p.dotStar && c.text !== '') return null;
      out.push({ text: p.text + c.text, dotStar: p.dotStar || c.dotStar });
    }
  }
  return out;
}

class Reader {
  i = 0;
  private depth = 0;
  constructor(readonly source: string) {}

  /** One element of a sequence and its choices, or null if outside the grammar. */
  private element(): Partial[] | null {
    const { source } = this;
    const c = source[this.i]!;
    if (c === '.' && source[this.i + 1] === '*' && !isQuantifier(source[this.i + 2])) {
      this.i += 2;
      return [{ text: '', dotStar: true }];
    }
    if (PLAIN.test(c)) {
      this.i += 1;
      return [{ text: c, dotStar: false }];
    }
    ESCAPED.lastIndex = this.i;
    const escaped = ESCAPED.exec(source);
    if (escaped) {
      this.i += escaped[0].length;
      return [{ text: escaped[1] ?? escaped[2]!, dotStar: false }];
    }
    CLASS.lastIndex = this.i;
    const cls = CLASS.exec(source);
    if (cls) {
      this.i += cls[0].length;
      return classChars(cls[1]!)?.map((text) => ({ text, dotStar: false })) ?? null;
    }
    if (c === '(') return this.group();
    return null;
  }

  /** `(a|b)` or `(?:a|b)`, each choice a sequence; a following `?` adds the empty choice. */
  private group(): Partial[] | null {
    const { source } = this;
    this.i += source.startsWith('(?:', this.i) ? 3 : 1;
    if (source[this.i] === '?') return null; // flags and other (?...) groups
    if (this.depth === MAX_DEPTH) return null;
    const choices: Partial[] = [];
    for (;;) {
      this.depth += 1;
      const seq = this.sequence();
      this.depth -= 1;
      if (!seq) return null;
      choices.push(...seq);
      if (choices.length > MAX_ALTERNATIVES) return null;
      if (source[this.i] === '|') this.i += 1;
      else break;
    }
    if (source[this.i] !== ')') return null;
    this.i += 1;
    if (source[this.i] === '?' && !isQuantifier(source[this.i + 1])) {
      this.i += 1;
      choices.push(EMPTY);
    }
    return choices;
  }

  /** Elements up to `|`, `)`, `$` or the end. */
  sequence(): Partial[] | null {
    let partials: Partial[] | null = [EMPTY];
    for (;;) {
      const c = this.source[this.i];
      if (c === undefined || c === '|' || c === ')' || c === '$') return partials;
      const choices = this.element();
      // A quantifier on a character, a class or a group (other than a group's `?`) needs a regex engine.
      if (!choices || isQuantifier(this.source[this.i])) return null;
      partials = combine(partials, choices);
      if (!partials) return null;
    }
  }

  /** One top-level alternative: `^`? sequence `$`?, and its expansions. */
  alternative(): Alternative[] | null {
    const start = this.source[this.i] === '^';
    if (start) this.i += 1;
    const partials = this.sequence();
    if (!partials) return null;
    const end = this.source[this.i] === '$';
    if (end) this.i += 1;
    if (this.i < this.source.length && this.source[this.i] !== '|') return null;
    return partials.map((p) => ({ start, literal: p.text, dotStar: p.dotStar, end }));
  }
}

/** One alternative as a specialised check (Rust's meaning of `^`, `.*` and `$` in string operations). */
function check({ start, literal, dotStar, end }: Alternative): (text: string) => boolean {
  // Without `$` a trailing `.*` can match nothing, so it changes nothing.
  if (!end) return start ? (text) => text.startsWith(literal) : (text) => text.includes(literal);
  if (!dotStar) return start ? (text) => text === literal : (text) => text.endsWith(literal);
  // `.*$`: from the end of the literal to the end of the text without a \n (the literal holds none).
  if (start) return (text) => text.startsWith(literal) && text.indexOf('\n', literal.length) === -1;
  return (text) => text.indexOf(literal, text.lastIndexOf('\n') + 1) !== -1;
}

function commonPrefix(texts: string[]): string {
  let prefix = texts[0] ?? '';
  for (const t of texts) while (!t.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** A matcher for a pattern made only of literal alternatives, or null when the pattern needs a regex engine. */
export function literalMatcher(source: string): RustRegex | null {
  const reader = new Reader(source);
  const alts: Alternative[] = [];
  for (;;) {
    const read = reader.alternative();
    if (!read) return null;
    alts.push(...read);
    if (alts.length > MAX_ALTERNATIVES) return null;
    if (reader.i >= source.length) break;
    reader.i += 1; // past the `|`
  }
  const checks = alts.map(check);
  // `^4[.]9[.](0|1|2)[+].*$` expands to three alternatives starting "4.9.": most versions fail that one test.
  const prefix = alts.every((a) => a.start) ? commonPrefix(alts.map((a) => a.literal)) : '';
  return {
    test(text: string): boolean {
      if (!text.startsWith(prefix)) return false;
      for (const c of checks) if (c(text)) return true;
      return false;
    },
  };
}
