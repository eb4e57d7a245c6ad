/**
 * POSIX sh quoting for values substituted into `run:` (DESIGN.md §1: a parameter must
 * never be able to inject a command). Inside single quotes sh expands nothing — no `$`,
 * backticks, globs or backslashes — so the only character needing care is `'` itself.
 */

// Characters that are never special to sh in an argument; such words pass unquoted so
// commands stay readable in logs (`--fold 3`, not `--fold '3'`).
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `s` as one sh word whose value is exactly `s`.
 * @example shellQuote("it's") // => 'it'\''s'
 */
export function shellQuote(s: string): string {
  // sh cannot carry a NUL byte in an argument; quoting would silently truncate it.
  if (s.includes('\0')) throw new TypeError('shellQuote: a NUL byte cannot be passed to a shell command');
  if (s === '') return "''";
  if (SAFE.test(s)) return s;
  // Close the quote, emit an escaped quote, reopen: ' → '\''
  return `'${s.replaceAll("'", "'\\''")}'`;
}
