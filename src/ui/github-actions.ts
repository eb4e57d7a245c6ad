/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`, `::group::`):
 * the runner turns lines that start with them into annotations on the run and the pull
 * request's diff, and into collapsible groups in the log. flowctl writes them to stderr (the
 * runner reads both streams) when `GITHUB_ACTIONS=true`. Escaping follows the runner: `%`,
 * CR and LF in the message; also `:` and `,` in property values.
 */
import path from 'node:path';
import { formatProblem, type Problem } from '../errors.js';

/** Running as a GitHub Actions step. */
export function isGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** A message (the part after `::`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`file=…`, `title=…`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** @example workflowCommand('error', { file: 'flow.yaml', line: 3 }, 'bad') // => '::error file=flow.yaml,line=3::bad' */
export function workflowCommand(name: string, props: Record<string, string | number | undefined> = {}, message = ''): string {
  const p = Object.entries(props).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

/**
 * A file as annotations need it: relative to the repository checkout (GITHUB_WORKSPACE), so
 * the annotation lands on the pull request's diff also when flowctl ran in a sub-directory.
 */
export function annotationPath(file: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return file;
  const rel = path.relative(path.resolve(workspace), path.resolve(cwd, file));
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** A flow-file problem as an `::error` annotation at its file:line:col; the message keeps the usual text. */
export function problemAnnotation(p: Problem, env: NodeJS.ProcessEnv = process.env): string {
  const at = p.loc ? { file: annotationPath(p.loc.file, env), line: p.loc.line, col: p.loc.col } : {};
  return workflowCommand('error', { ...at, title: `flowctl: ${p.rule}` }, formatProblem(p));
}
