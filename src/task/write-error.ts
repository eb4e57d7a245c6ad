/**
 * File-system errors met while preparing, collecting or recording one task, as a one-line
 * reason: what happened, the path (shortened: an ENAMETOOLONG path is thousands of characters)
 * and what to do about it.
 */

const SHOWN_PATH = 120;

/** A reason for `e` (any thrown value); never a stack. */
export function describeWriteError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const where = typeof err?.path === 'string' ? ` '${shorten(err.path)}'` : '';
  switch (code) {
    case 'ENAMETOOLONG':
      return `a file name or path is too long for the file system (ENAMETOOLONG)${where}; keep each path segment under 255 bytes and whole paths well under 4096`;
    case 'ENOSPC':
      return `no space left on the device (ENOSPC)${where}`;
    case 'EDQUOT':
      return `disk quota exceeded (EDQUOT)${where}`;
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files (${code})${where}; ${resourceHint(code)}`;
    default:
      return firstLine(String(err?.message ?? e));
  }
}

function shorten(p: string): string {
  return p.length <= SHOWN_PATH ? p : `${p.slice(0, SHOWN_PATH / 2)}…${p.slice(-SHOWN_PATH / 2)}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}

export const WORKERS_HINT = 'lower --max-workers, or run fewer tasks at once';

/** What to do when the machine ran out of something (open files, processes, memory); undefined for other codes. */
export function resourceHint(code: string | undefined): string | undefined {
  switch (code) {
    case 'EMFILE':
      return `raise the open-file limit (ulimit -n) or ${WORKERS_HINT}`;
    case 'ENFILE':
      return `${WORKERS_HINT}, or close other programs`;
    case 'EAGAIN':
      return WORKERS_HINT;
    case 'ENOMEM':
      return `${WORKERS_HINT}, or declare resources.memory so tasks are scheduled to fit`;
    default:
      return undefined;
  }
}
