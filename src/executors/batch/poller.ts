/**
 * One poller for every job of a run (Metaflow polls each job on its own and is throttled at
 * about a hundred tasks): each round describes all watched jobs, 100 ids per DescribeJobs
 * call, a few calls at a time, and hands each job's detail to its watcher. A throttled round
 * stretches the interval (doubling, up to 8×), a clean one brings it back. A job that Batch
 * does not return for `missingMs` is reported missing; a round that fails for good (no
 * permission) reports the error to the watchers of its jobs.
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import { DESCRIBE_LIMIT, type BatchCalls } from './calls.js';
import { isThrottle } from './retry.js';

export type JobUpdate = { job: JobDetail } | { missing: true } | { error: unknown };

export interface PollerOptions {
  pollMs: number;
  /** A job missing from Batch's answers this long is reported missing (array children appear a little after their parent). */
  missingMs: number;
  /** DescribeJobs calls in flight at once within a round. */
  parallel?: number;
}

interface Watch {
  onUpdate: (u: JobUpdate) => void;
  /** When Batch last returned it (or when watching began). */
  seenAt: number;
}

export class JobPoller {
  private readonly watched = new Map<string, Watch>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private factor = 1;
  /** Rounds made and the most calls one of them made (the benchmark reports them). */
  readonly stats = { rounds: 0, maxCallsPerRound: 0 };

  constructor(private readonly calls: BatchCalls, private readonly o: PollerOptions) {}

  /** Start reporting on a job; returns the function that stops it. */
  watch(jobId: string, onUpdate: (u: JobUpdate) => void): () => void {
    const w: Watch = { onUpdate, seenAt: Date.now() };
    this.watched.set(jobId, w);
    this.schedule();
    return () => {
      if (this.watched.get(jobId) === w) this.watched.delete(jobId);
    };
  }

  get size(): number {
    return this.watched.size;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped || this.watched.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, this.o.pollMs * this.factor);
  }

  private async round(): Promise<void> {
    this.running = true;
    let throttled = false;
    try {
      const ids = [...this.watched.keys()];
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += DESCRIBE_LIMIT) chunks.push(ids.slice(i, i + DESCRIBE_LIMIT));
      this.stats.rounds++;
      this.stats.maxCallsPerRound = Math.max(this.stats.maxCallsPerRound, chunks.length);
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          throttled = (await this.describe(chunk)) || throttled;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.o.parallel ?? 4, chunks.length) }, worker));
    } finally {
      this.running = false;
      this.factor = throttled ? Math.min(8, this.factor * 2) : 1;
      this.schedule();
    }
  }

  /** Describe one chunk and report; true when Batch throttled it. */
  private async describe(ids: string[]): Promise<boolean> {
    let throttled = false;
    let jobs: JobDetail[];
    try {
      jobs = await this.calls.describe(ids, (e) => {
        if (isThrottle(e)) throttled = true;
      });
    } catch (e) {
      for (const id of ids) this.watched.get(id)?.onUpdate({ error: e });
      return throttled || isThrottle(e);
    }
    const now = Date.now();
    const found = new Set<string>();
    for (const job of jobs) {
      if (!job.jobId) continue;
      found.add(job.jobId);
      const w = this.watched.get(job.jobId);
      if (!w) continue;
      w.seenAt = now;
      w.onUpdate({ job });
    }
    for (const id of ids) {
      const w = this.watched.get(id);
      if (w && !found.has(id) && now - w.seenAt > this.o.missingMs) w.onUpdate({ missing: true });
    }
    return throttled;
  }
}
