/**
 * One command running in the spawner process, as flowctl sees it: its output as two
 * Readables (backpressure travels back to the spawner as pause/resume messages) and
 * promises for its start, its exit, and the end of everything.
 */
import { Readable } from 'node:stream';
import type { Fd, FromSpawner, ToSpawner } from './protocol.js';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Processes of the tree alive when the command exited; -1: the table could not be read. */
  leftovers: number;
  /** Set when the spawner process itself died under the command. */
  lost?: string;
}

/** Why a command did not start: the spawner's message and the error code (`E2BIG`, `EMFILE`, …) when known. */
export interface StartFailure {
  error: string;
  code?: string;
}

/** One running command, as seen from flowctl. */
export class SpawnedCommand {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves with the pid (and its start time) once running, or a reason it could not start. */
  readonly started: Promise<{ pid: number; start?: string } | StartFailure>;
  /** Resolves when the command itself exited (its output may still be flowing). */
  readonly exited: Promise<ExitInfo>;
  /** Resolves once it exited and both output streams ended. */
  readonly closed: Promise<ExitInfo>;
  private readonly paused: Record<Fd, boolean> = { 1: false, 2: false };
  private settleStart!: (v: { pid: number; start?: string } | StartFailure) => void;
  private spawned = false;
  private settleExit!: (v: ExitInfo) => void;

  constructor(readonly id: number, private readonly control: (m: ToSpawner) => void) {
    this.stdout = this.outputStream(1);
    this.stderr = this.outputStream(2);
    this.started = new Promise((r) => (this.settleStart = r));
    this.exited = new Promise((r) => (this.settleExit = r));
    const ended = (s: Readable) => new Promise<void>((r) => s.once('end', r).once('close', r));
    this.closed = Promise.all([this.exited, ended(this.stdout), ended(this.stderr)]).then(([e]) => e);
  }

  /** @internal */
  handle(m: FromSpawner): void {
    switch (m.t) {
      case 'spawned':
        this.spawned = true;
        this.settleStart({ pid: m.pid, start: m.start });
        break;
      case 'error':
        // After 'spawned' the spawner gave up on a running command (and ended its group).
        if (this.spawned) return this.lose(`the spawner could not handle the command: ${m.message}`);
        this.settleStart({ error: m.message, code: m.code });
        this.settleExit({ code: null, signal: null, leftovers: 0 });
        this.endStreams();
        break;
      case 'data': {
        const s = m.fd === 1 ? this.stdout : this.stderr;
        if (!s.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength)) && !this.paused[m.fd]) {
          this.paused[m.fd] = true;
          this.control({ t: 'pause', id: this.id, fd: m.fd });
        }
        break;
      }
      case 'end':
        (m.fd === 1 ? this.stdout : this.stderr).push(null);
        break;
      case 'exit':
        this.settleExit({ code: m.code, signal: m.signal, leftovers: m.leftovers });
        break;
    }
  }

  /** @internal The spawner died (`code`: why, when known): nothing more will come for this command. */
  lose(why: string, code?: string): void {
    this.settleStart({ error: why, code });
    this.settleExit({ code: null, signal: null, leftovers: 0, lost: why });
    this.endStreams();
  }

  /** No more output will come: end both streams, and let them end even if nobody reads them. */
  private endStreams(): void {
    for (const s of [this.stdout, this.stderr]) {
      if (!s.readableEnded) s.push(null);
      s.resume();
    }
  }

  /** A stream fed by the spawner's messages; when its buffer fills, the spawner pauses the pipe. */
  private outputStream(fd: Fd): Readable {
    return new Readable({
      read: () => {
        if (!this.paused[fd]) return;
        this.paused[fd] = false;
        this.control({ t: 'resume', id: this.id, fd });
      },
    });
  }
}
