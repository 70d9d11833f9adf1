// The compiled-regex type shared by regex.ts (re2js) and regex-literal.ts (string comparisons).

/** A compiled graph-data regex; `test` is Rust's `is_match` (a match anywhere in the text). */
export interface RustRegex {
  test(text: string): boolean;
}
