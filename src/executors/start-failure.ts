/**
 * Why a command could not be started, in words a user can act on. Called only after a start
 * failed, so the analysis (sizes of every argument and variable) costs nothing on the hot path.
 * Messages name variables and sizes, never values: a value may be a secret.
 */
import { resourceHint } from '../task/write-error.js';

export { resourceHint } from '../task/write-error.js';

/** Linux's MAX_ARG_STRLEN: one argument or `NAME=value` string, its terminating NUL included. */
export const MAX_ARG_STRLEN = 128 * 1024;

/** What was about to be started. */
export interface StartAttempt {
  /** The shell's name as the step asked for it (`sh`, `bash`). */
  shell: string;
  /** The rendered `run:` command (the shell's `-c` argument). */
  command: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
}

const TOO_LONG_HINT = 'pass large values through a file, e.g. an upstream output, instead of embedding them in run:/env:';

/**
 * The reason (with a hint after `; `) for a start that failed with `code` (an errno code such
 * as `E2BIG`, or a Node code such as `ERR_INVALID_ARG_VALUE`); `message` is the raw text,
 * used only when the code says nothing better (callers mask it).
 */
export function explainStartFailure(code: string | undefined, message: string, what: StartAttempt): string {
  switch (code) {
    case 'E2BIG':
      return tooLong(what);
    case 'ERR_INVALID_ARG_VALUE':
      return nulByte(what) ?? firstLine(message);
    case 'EMFILE':
      return `too many open files (EMFILE); ${resourceHint(code)}`;
    case 'ENFILE':
      return `the system's table of open files is full (ENFILE); ${resourceHint(code)}`;
    case 'EAGAIN':
      return `the system refused to create another process (EAGAIN: a process or thread limit such as ulimit -u); ${resourceHint(code)}`;
    case 'ENOMEM':
      return `not enough memory to start a process (ENOMEM); ${resourceHint(code)}`;
    case 'ENOENT':
      return `${what.shell} could not be run (ENOENT): the program or its interpreter is missing`;
    case 'EACCES':
      return `permission denied starting ${what.shell} (EACCES)`;
    case 'ENAMETOOLONG':
      return `a path is too long for the file system (ENAMETOOLONG); keep each path segment under 255 bytes`;
    default:
      return firstLine(message);
  }
}


/** Which string broke the kernel's limits: one argument/variable over MAX_ARG_STRLEN, or all of them together. */
function tooLong(what: StartAttempt): string {
  const commandBytes = Buffer.byteLength(what.command) + 1;
  if (commandBytes > MAX_ARG_STRLEN) {
    return `the rendered run: command is ${kib(commandBytes)}, over the ${kib(MAX_ARG_STRLEN)} the system allows for one argument (E2BIG); ${TOO_LONG_HINT}`;
  }
  let total = commandBytes;
  const big: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(what.env)) {
    const bytes = Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
    total += bytes + 8; // and its pointer
    if (bytes > MAX_ARG_STRLEN) big.push([k, bytes]);
  }
  if (big.length > 0) {
    big.sort((a, b) => b[1] - a[1]);
    const names = big.map(([k, b]) => `${k} (${kib(b)})`).join(', ');
    return `environment variable${big.length > 1 ? 's' : ''} ${names} ${big.length > 1 ? 'are' : 'is'} over the ${kib(MAX_ARG_STRLEN)} the system allows for one variable (E2BIG); ${TOO_LONG_HINT}`;
  }
  return `the command and its environment (${kib(total)} together) are over the system's limit for a new process (E2BIG, ARG_MAX); ${TOO_LONG_HINT}`;
}

function nulByte(what: StartAttempt): string | undefined {
  const hint = 'a command line and its environment cannot carry NUL bytes; pass such data through a file';
  if (what.command.includes('\0')) return `the rendered run: command contains a NUL byte; ${hint}`;
  const bad = Object.entries(what.env).filter(([k, v]) => k.includes('\0') || v.includes('\0')).map(([k]) => k.replace(/\0/g, '\\0'));
  if (bad.length > 0) return `environment variable ${bad.join(', ')} contains a NUL byte; ${hint}`;
  return undefined;
}

function kib(bytes: number): string {
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}
