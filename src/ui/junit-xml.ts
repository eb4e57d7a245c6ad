/**
 * A JUnit XML document (the Ant/Surefire dialect GitLab, Jenkins, GitHub test reporters and
 * most CI servers read): `<testsuites>` › `<testsuite>` › `<testcase>` with an optional
 * `<failure>`, `<error>` or `<skipped>`, times in seconds. Text is escaped and stripped of
 * characters XML 1.0 cannot hold (escape sequences, NUL, lone surrogates), so any log
 * line can go in.
 */

export interface JUnitCase {
  classname: string;
  name: string;
  timeMs: number;
  /** Absent: passed. */
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; text?: string };
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  timeMs: number;
  /** ISO 8601; written without zone or milliseconds, as the schema wants. */
  timestamp?: string;
  properties?: Record<string, string>;
  cases: JUnitCase[];
}

export interface JUnitReport {
  name: string;
  timeMs: number;
  suites: JUnitSuite[];
}

// Everything XML 1.0 allows is kept; with the u flag a lone surrogate is one code point outside these ranges.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

function clean(s: string): string {
  return s.replace(ESCAPES, '').replace(NOT_XML, '');
}

/** Element text: a CR is a character reference, or parsers would turn it into a newline. */
export function xmlText(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** An attribute value: newlines and tabs as references, or parsers would turn them into spaces. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join('');
}

function counts(cases: JUnitCase[]): { tests: number; failures: number; errors: number; skipped: number } {
  const n = (k: string) => cases.filter((c) => c.outcome?.kind === k).length;
  return { tests: cases.length, failures: n('failure'), errors: n('error'), skipped: n('skipped') };
}

function testcase(c: JUnitCase): string {
  const head = `    <testcase${attrs({ classname: c.classname, name: c.name, time: seconds(c.timeMs) })}`;
  const body: string[] = [];
  const o = c.outcome;
  if (o) {
    const open = `      <${o.kind}${attrs({ message: o.message, type: o.type })}`;
    body.push(o.text ? `${open}>${xmlText(o.text)}</${o.kind}>` : `${open}/>`);
  }
  if (c.systemOut) body.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

/** The whole document. */
export function renderJUnit(r: JUnitReport): string {
  const all = r.suites.flatMap((s) => s.cases);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: r.name, ...counts(all), time: seconds(r.timeMs) })}>`];
  for (const s of r.suites) {
    out.push(`  <testsuite${attrs({ name: s.name, ...counts(s.cases), time: seconds(s.timeMs), timestamp: s.timestamp?.slice(0, 19) })}>`);
    const props = Object.entries(s.properties ?? {});
    if (props.length) {
      out.push('    <properties>', ...props.map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`), '    </properties>');
    }
    out.push(...s.cases.map(testcase), '  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
