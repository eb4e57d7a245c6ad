/**
 * Running the real CLI under a pseudo-terminal (`script` from util-linux), and a tiny
 * terminal emulator that replays what it wrote into the screen a person would see.
 */
import { execa } from 'execa';
import { BIN } from '../helpers/cli.js';

export interface PtyRun {
  /** Everything written to the terminal, escape sequences included. */
  raw: string;
  exitCode: number;
}

export interface PtyOptions {
  cwd: string;
  columns: number;
  rows: number;
  env?: Record<string, string>;
}

export async function flowctlInPty(args: string[], o: PtyOptions): Promise<PtyRun> {
  return startFlowctlInPty(args, o).done;
}

/** Starts the CLI under `script`; `pid` is script's, whose child is flowctl itself (exec'd by the shell). */
export function startFlowctlInPty(args: string[], o: PtyOptions): { pid: number; done: Promise<PtyRun> } {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const inner = `stty cols ${o.columns} rows ${o.rows}; exec node ${q(BIN)} ${args.map(q).join(' ')}`;
  const env: Record<string, string | undefined> = { ...process.env, FLOWCTL_USER: 'tester', TERM: 'xterm-256color', CI: undefined, CONTINUOUS_INTEGRATION: undefined, ...o.env };
  const sub = execa('script', ['-qfec', inner, '/dev/null'], { cwd: o.cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
  const done = sub.then((r) => ({ raw: String(r.stdout), exitCode: r.exitCode ?? -1 }));
  return { pid: sub.pid!, done };
}

/** Child processes of `ppid`: pid and command line. */
export async function childrenOf(ppid: number): Promise<Array<{ pid: number; args: string }>> {
  const { stdout } = await execa('ps', ['-o', 'pid=,args=', '--ppid', String(ppid)], { reject: false });
  return String(stdout).split('\n').filter((l) => l.trim()).map((l) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), args: m[2]! };
  });
}

// eslint-disable-next-line no-control-regex
export const CURSOR_SEQUENCE = /\x1b\[(?:\d*(?:;\d*)*[ABCDEFGHJKST]|\?25[lh]|\?2026[hl])/;

/**
 * Replays terminal output onto an unbounded screen. Lines do not wrap: a line longer than
 * the terminal stays long, so tests can see it. Handles what ink and a shell emit: text,
 * CR/LF, cursor up/down/column, erase line/screen, cursor home; ignores colours and modes.
 */
export function screen(raw: string): string[] {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  const row = () => (rows[r] ??= []);
  // eslint-disable-next-line no-control-regex
  const token = /\x1b\[([?0-9;]*)([A-Za-z])|\x1b\][^\x07]*\x07|\x1b.|\r|\n|[^\x1b\r\n]/gu;
  for (const m of raw.matchAll(token)) {
    const s = m[0];
    if (m[2] !== undefined) {
      const p = m[1]!;
      const n = p === '' || p.startsWith('?') ? 1 : Number(p.split(';')[0]) || 1;
      switch (m[2]) {
        case 'A': r = Math.max(0, r - n); break;
        case 'B': r += n; break;
        case 'G': c = Math.max(0, (Number(p) || 1) - 1); break;
        case 'K':
          if (p === '2') rows[r] = [];
          else if (p === '' || p === '0') row().length = Math.min(row().length, c);
          break;
        case 'J':
          if (p === '2' || p === '3') rows.length = 0;
          else rows.length = r + 1;
          row().length = Math.min(row().length, c);
          break;
        case 'H': r = 0; c = 0; break;
      }
    } else if (s === '\r') c = 0;
    else if (s === '\n') r++;
    else if (s.startsWith('\x1b')) continue;
    else {
      const line = row();
      while (line.length < c) line.push(' ');
      line[c++] = s;
    }
  }
  for (let i = 0; i < rows.length; i++) rows[i] ??= [];
  return rows.map((x) => x.join('').trimEnd());
}
