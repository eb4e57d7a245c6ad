/**
 * A run's record (run.json) while it lives: written when the run starts, refreshed with a
 * heartbeat every few seconds (so `show` tells a run that died from one still running), and
 * finished with its state and counts.
 */
import os from 'node:os';
import type { RunRecord, RunState, TaskState } from '../store/records.js';
import type { Store } from '../store/store.js';

const HEARTBEAT_MS = 5000;

export class RunRecorder {
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, readonly record: RunRecord) {}

  /** A new run's record, `running` since now. */
  static start(store: Store, fields: Omit<RunRecord, 'formatVersion' | 'state' | 'startedAt' | 'heartbeatAt' | 'pid' | 'host'>): RunRecorder {
    const now = new Date().toISOString();
    return new RunRecorder(store, {
      formatVersion: 1, ...fields, state: 'running', startedAt: now, heartbeatAt: now, pid: process.pid, host: os.hostname(),
    });
  }

  write(): Promise<void> {
    return this.store.writeRunRecord(this.record);
  }

  /** Refresh `heartbeatAt` every few seconds until finish(); a failed write is retried at the next beat. */
  beat(): void {
    this.heartbeat = setInterval(() => {
      this.record.heartbeatAt = new Date().toISOString();
      void this.write().catch(() => {});
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stopBeating(): void {
    clearInterval(this.heartbeat);
  }

  async finish(end: { state: RunState; counts: Partial<Record<TaskState, number>>; caughtFailures: number; error?: string }): Promise<void> {
    this.stopBeating();
    const now = new Date().toISOString();
    Object.assign(this.record, {
      state: end.state, finishedAt: now, heartbeatAt: now, taskCounts: end.counts, caughtFailures: end.caughtFailures, error: end.error,
    });
    await this.write();
  }
}
