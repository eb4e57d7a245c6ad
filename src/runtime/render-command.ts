/**
 * Renders a step's `run:` template into a shell command, quoting every substituted value
 * for the quoting context it lands in, so a value can never inject a command:
 *   - outside quotes: single-quoted (`'it'\''s'`);
 *   - inside '…': the single-quoted string is closed, the quoted value added, and reopened;
 *   - inside "…": `\ $ \` "` are backslash-escaped (everything else is literal there).
 * The context is computed from the template's literal text only (the flow author's), never
 * from a value. This lets authors write `echo "fold ${{ item }}"` and get `fold 3`, as they
 * would expect, instead of `fold '3'`.
 */
import { renderTemplate, shellQuote } from '../spec/expr/index.js';
import type { ExprContext, Template } from '../spec/expr/ast.js';

type QuoteState = 'plain' | 'single' | 'double';

export function renderShellCommand(t: Template, ctx: ExprContext): string {
  let state: QuoteState = 'plain';
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') {
      out += part;
      state = advance(state, part);
      continue;
    }
    const value = renderTemplate({ parts: [part] }, ctx, { quote: false });
    out += quoteFor(state, value);
  }
  return out;
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
