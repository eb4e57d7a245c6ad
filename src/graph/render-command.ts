/**
 * Renders a step's `run:` template into a shell command, quoting every substituted value
 * for the quoting context it lands in, so a value can never inject a command:
 *   - outside quotes: single-quoted (`'it'\''s'`);
 *   - inside '…': the single-quoted string is closed, the quoted value added, and reopened;
 *   - inside "…": `\ $ \` "` are backslash-escaped (everything else is literal there).
 * The context is computed from the template's literal text only (the flow author's), never
 * from a value. This lets authors write `echo "fold ${{ item }}"` and get `fold 3`, as they
 * would expect, instead of `fold '3'`.
 *
 * A value that holds a secret never lands in the command (which every user of the machine
 * can read in `ps`): it goes to an environment variable of the task, and the command gets a
 * reference quoted for its context (`"$FLOW_SECRET_1"`, `${FLOW_SECRET_1}` inside "…").
 */
import { renderTemplate, shellQuote } from '../spec/expr/index.js';
import type { Expr, ExprContext, Template } from '../spec/expr/ast.js';

type QuoteState = 'plain' | 'single' | 'double';

/** Where substituted values that hold a secret go instead of the command line. */
export interface SecretSink {
  /** True when the value of `expr` must not appear in the command. */
  isSecret(expr: Expr, value: string): boolean;
  /** The environment variable that will carry `value` (a shell name: [A-Z_][A-Z0-9_]*). */
  envName(value: string): string;
}

/** @example renderShellCommand(parseTemplate('echo ${{ params.x }}'), ctx) // => "echo 'a b'" */
export function renderShellCommand(t: Template, ctx: ExprContext, secrets?: SecretSink): string {
  let state: QuoteState = 'plain';
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') {
      out += part;
      state = advance(state, part);
      continue;
    }
    const value = renderTemplate({ parts: [part] }, ctx, { quote: false });
    out += secrets?.isSecret(part.expr, value) ? referenceFor(state, secrets.envName(value)) : quoteFor(state, value);
  }
  return out;
}

/** A reference to variable `name` that expands to exactly its value, as one word, in `state`. */
export function referenceFor(state: QuoteState, name: string): string {
  switch (state) {
    case 'plain':
      return `"$${name}"`;
    case 'single':
      return `'"$${name}"'`;
    case 'double':
      return `\${${name}}`;
  }
}

export function quoteFor(state: QuoteState, value: string): string {
  switch (state) {
    case 'plain':
      return shellQuote(value);
    case 'single':
      return `'${shellQuote(value)}'`;
    case 'double':
      return value.replace(/[\\$`"]/g, (c) => `\\${c}`);
  }
}

/** The quoting state after reading literal shell text (POSIX sh rules for quotes and backslash). */
export function advance(state: QuoteState, text: string): QuoteState {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'single') {
      if (c === "'") state = 'plain';
    } else if (c === '\\') {
      i++; // the next character is escaped (in plain and double-quoted text)
    } else if (state === 'double') {
      if (c === '"') state = 'plain';
    } else if (c === "'") {
      state = 'single';
    } else if (c === '"') {
      state = 'double';
    }
  }
  return state;
}
