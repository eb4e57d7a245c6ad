/**
 * flowctl's side of the spawner process (child.ts): starts it on first use, multiplexes many
 * running commands over its IPC channel, and restarts it if it dies. One spawner per argv
 * prefix (plain, or under setpriv's read-only guard), shared by every executor in the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromSpawner, OrphanCommand, ToSpawner } from './protocol.js';
import { SpawnedCommand } from './spawned-command.js';

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
  /** Tag value the command's processes carry (leftover detection). */
  tag: string;
  /** Run by the spawner if flowctl goes away (even `kill -9`) while the command runs, after its process group is killed. */
  onOrphan?: OrphanCommand;
}

/** An idle spawner is let go after this long (it starts again in ~40 ms when needed); tests shorten it. */
const IDLE_MS = Number(process.env.FLOWCTL_SPAWNER_IDLE_MS) || 5000;

export class Spawner {
  private static readonly instances = new Map<string, Spawner>();
  private proc: ChildProcess | undefined;
  /** Commands not yet closed, with the spawner process that runs each. */
  private readonly running = new Map<number, { cmd: SpawnedCommand; proc: ChildProcess }>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly prefix: string[]) {}

  /** The shared spawner that runs its commands under `prefix` (e.g. setpriv … --). */
  static for(prefix: string[] = []): Spawner {
    const key = prefix.join('\0');
    let s = Spawner.instances.get(key);
    if (!s) Spawner.instances.set(key, (s = new Spawner(prefix)));
    return s;
  }

  /** Throws when the spawner process itself cannot be started (EAGAIN, ENOMEM, …). */
  spawn(req: SpawnRequest): SpawnedCommand {
    const proc = this.ensure();
    const cmd = new SpawnedCommand(this.nextId++, (m) => this.post(proc, m));
    this.running.set(cmd.id, { cmd, proc });
    if (this.runningOn(proc) === 1) ref(proc, true);
    clearTimeout(this.idleTimer);
    const done = () => {
      this.running.delete(cmd.id);
      if (this.runningOn(proc) > 0) return;
      ref(proc, false);
      if (this.proc !== proc) return;
      // A long-lived host (the client API, a test runner) should not keep an idle helper
      // forever; flowctl decides, so no command can be on its way when it goes.
      this.idleTimer = setTimeout(() => {
        if (this.runningOn(proc) === 0 && this.proc === proc) {
          this.proc = undefined;
          if (proc.connected) proc.disconnect();
        }
      }, IDLE_MS);
      this.idleTimer.unref();
    };
    cmd.closed.then(done, done);
    try {
      this.post(proc, { t: 'spawn', id: cmd.id, ...req });
    } catch (e) {
      cmd.lose(`could not hand the command to the spawner: ${(e as Error).message}`);
    }
    return cmd;
  }

  private runningOn(proc: ChildProcess): number {
    let n = 0;
    for (const r of this.running.values()) if (r.proc === proc) n++;
    return n;
  }

  /** Throws only when the message cannot be serialized; a failed write surfaces as the spawner's 'error'/'exit'. */
  private post(proc: ChildProcess, m: ToSpawner): void {
    if (proc.connected) proc.send(m);
  }

  private ensure(): ChildProcess {
    if (this.proc?.connected) return this.proc;
    const [file, ...args] = [...this.prefix, process.execPath, childScript()];
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // jest's or a user's flags are for flowctl, not for this helper
    const proc = spawn(file!, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced', env });
    proc.on('message', (m: FromSpawner) => this.running.get(m.id)?.cmd.handle(m));
    const lost = (why: string, code?: string) => {
      if (this.proc === proc) this.proc = undefined;
      // Only this process's commands: after an idle disconnect, a successor may already run others.
      for (const r of this.running.values()) if (r.proc === proc) r.cmd.lose(why, code);
    };
    proc.once('exit', (code, signal) => lost(`the spawner process ended (${signal ?? `exit code ${code}`})`));
    // `on`, not `once`: every failed send to a dying spawner emits one more 'error'.
    proc.on('error', (e: NodeJS.ErrnoException) => lost(`the spawner process failed: ${e.message}`, e.code));
    ref(proc, false);
    this.proc = proc;
    return proc;
  }
}

/** Keep flowctl alive for the spawner only while commands run through it. */
function ref(proc: ChildProcess, on: boolean): void {
  const channel = proc.channel as { ref?: () => void; unref?: () => void } | undefined;
  if (on) {
    proc.ref();
    channel?.ref?.();
  } else {
    proc.unref();
    channel?.unref?.();
  }
}

/**
 * The compiled child script. Under jest this module is the TypeScript source, which Node
 * cannot run as a separate process, so the built copy in dist/ is used (tests run after
 * `npm run build`, which the CLI tests need anyway).
 */
function childScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return fileURLToPath(new URL('./child.js', import.meta.url));
  return here.replace(/[\\/]src[\\/](executors[\\/]spawner[\\/])client\.ts$/, '/dist/$1child.js');
}
