/**
 * Find and end a task's whole process tree. A process group alone is not enough: a child
 * may call `setsid` to leave it, and a daemon may outlive its parent (then it is
 * reparented to init and no ppid link leads to it). So a tree is the union of
 *  - the root's process group,
 *  - everything reachable from the root (or a member) through ppid links,
 *  - processes whose initial environment carries the attempt's tag (the trick Jenkins'
 *    ProcessTreeKiller uses with BUILD_ID), which finds reparented escapees,
 * re-scanned on every round so children forked during the grace period are caught too.
 * Zombies count as gone: PID 1 in some containers never reaps them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state (`R`, `S`, `Z`, …). */
  state: string;
  /** Start time in clock ticks since boot (Linux /proc); guards against pid reuse. Empty when unknown. */
  start: string;
}

/** A process snapshot: `/proc` on Linux, `ps` where there is no /proc (macOS). */
export type ProcessTable = Map<number, ProcInfo>;

const hasProc = existsSync('/proc/self/stat');

/** Parse one /proc/<pid>/stat line; the comm field may hold spaces and parentheses. */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || f.length < 20) return undefined;
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), start: f[19]! };
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Snapshot every process visible to us. With `after`, only processes whose pid was handed out
 * after that one (when pids have not wrapped around since), which is all a tree rooted there
 * can hold: it turns reading every /proc/<pid>/stat into reading a handful.
 */
export function readProcessTable(source: 'proc' | 'ps' = hasProc ? 'proc' : 'ps', opts: { after?: number } = {}): ProcessTable {
  const table: ProcessTable = new Map();
  if (source === 'proc') {
    const after = opts.after !== undefined && pidsNotWrappedSince(opts.after) ? opts.after : 0;
    for (const name of readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (pid < after) continue;
      const p = readProc(pid);
      if (p) table.set(p.pid, p);
    }
    return table;
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
    if (!stat) continue;
    table.set(Number(pid), { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state: stat[0]!, start: '' });
  }
  return table;
}

let pidMax: number | undefined;

/** True when the kernel's pid counter has moved forward from `pid` without wrapping. */
function pidsNotWrappedSince(pid: number): boolean {
  try {
    pidMax ??= Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    return Number.isInteger(last) && last >= pid && last - pid < pidMax / 2;
  } catch {
    return false;
  }
}

export const isLive = (p: ProcInfo | undefined): p is ProcInfo => p !== undefined && p.state !== 'Z' && p.state !== 'X';

/** Identifies one tree: its root pid (= its process group id) and optional extras. */
export interface TreeRoot {
  pid: number;
  /** The root's start time; processes started earlier cannot be in the tree, so their environ is not read. */
  start?: string;
  /** `NAME=value` fragment every process of the tree inherited in its environment. */
  tag?: string;
}

function hasTag(pid: number, tag: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(tag);
  } catch {
    return false; // gone, or another user's process
  }
}

/** The live processes of the tree in `table` (the root itself included while it lives). */
export function findTree(root: TreeRoot, table: ProcessTable = readProcessTable(undefined, { after: root.pid })): ProcInfo[] {
  const found = new Map<number, ProcInfo>();
  const children = new Map<number, ProcInfo[]>();
  for (const p of table.values()) {
    if (!isLive(p) || p.pid === process.pid || p.pid <= 1) continue;
    let list = children.get(p.ppid);
    if (!list) children.set(p.ppid, (list = []));
    list.push(p);
    if (p.pgid === root.pid || p.pid === root.pid) found.set(p.pid, p);
    else if (root.tag && hasProc && p.start && (!root.start || Number(p.start) >= Number(root.start)) && hasTag(p.pid, root.tag)) {
      found.set(p.pid, p);
    }
  }
  const queue = [root.pid, ...found.keys()];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const c of children.get(pid) ?? []) {
      if (!found.has(c.pid)) {
        found.set(c.pid, c);
        queue.push(c.pid);
      }
    }
  }
  return [...found.values()];
}

export interface KillTreeOptions {
  /** Time between TERM and KILL; 0 kills at once. */
  graceMs: number;
  /** Aborting it cuts the grace short (a second Ctrl-C). */
  hurry?: AbortSignal;
  /** Give up waiting for unkillable (D-state) processes after this long once KILL was sent. */
  killWaitMs?: number;
}

export interface KillTreeResult {
  /** Distinct processes that were signalled. */
  signalled: number;
  /** How many of them needed SIGKILL. */
  killed: number;
}

/**
 * TERM the tree (group + every member found), wait up to the grace for it to go, then KILL
 * whatever is left, re-scanning each round. Resolves once nothing of the tree is alive.
 */
export async function killTree(root: TreeRoot, opts: KillTreeOptions): Promise<KillTreeResult> {
  const known = new Map<number, string>(); // pid → start time, sticky across rounds
  const signalled = new Set<number>();
  const killed = new Set<number>();

  const scan = (): ProcInfo[] => {
    const table = readProcessTable();
    const live = new Map(findTree(root, table).map((p) => [p.pid, p]));
    for (const [pid, start] of known) {
      const p = table.get(pid);
      if (isLive(p) && p.start === start && !live.has(pid)) live.set(pid, p);
    }
    for (const p of live.values()) known.set(p.pid, p.start);
    return [...live.values()];
  };
  const send = (procs: ProcInfo[], sig: NodeJS.Signals): void => {
    const groups = new Set(procs.filter((p) => p.pgid === p.pid || p.pgid === root.pid).map((p) => p.pgid));
    for (const g of groups) trySignal(-g, sig);
    for (const p of procs) {
      trySignal(p.pid, sig);
      // A stopped process only acts on TERM once continued.
      if (sig === 'SIGTERM' && p.state === 'T') trySignal(p.pid, 'SIGCONT');
      signalled.add(p.pid);
      if (sig === 'SIGKILL') killed.add(p.pid);
    }
  };

  let live = scan();
  if (opts.graceMs > 0 && !opts.hurry?.aborted) {
    send(live, 'SIGTERM');
    const deadline = Date.now() + opts.graceMs;
    for (let wait = 10; live.length > 0 && Date.now() < deadline && !opts.hurry?.aborted; wait = Math.min(wait * 2, 100)) {
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      const before = new Set(live.map((p) => p.pid));
      live = scan();
      send(live.filter((p) => !before.has(p.pid)), 'SIGTERM'); // forked during the grace
    }
  }
  const giveUp = Date.now() + (opts.killWaitMs ?? 5000);
  while (live.length > 0 && Date.now() < giveUp) {
    send(live, 'SIGKILL');
    await sleep(10);
    live = scan();
  }
  return { signalled: signalled.size, killed: killed.size };
}

function trySignal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone; EPERM: not ours to kill.
  }
}
