/**
 * Per-step bookkeeping for step-level events. A step inside a fanned-out group has one node
 * per group instance; it is finished only once every enclosing group has expanded (so no
 * more nodes of it can appear) and every node of it is done.
 */
import type { TaskState } from '../store/records.js';
import type { NodeOutcome } from '../graph/graph-state.js';

export interface StepStat {
  path: string;
  parent?: string;
  created: number;
  /** Nodes created but not yet activated (a group's instances don't exist until then). */
  unexpanded: number;
  done: number;
  tasks: number;
  counts: Partial<Record<TaskState, number>>;
  outcomes: Set<NodeOutcome>;
  startedAt?: number;
  finished: boolean;
}

export class StepStats {
  private readonly stats = new Map<string, StepStat>();

  get(path: string, parent?: string): StepStat {
    let s = this.stats.get(path);
    if (!s) {
      s = { path, parent, created: 0, unexpanded: 0, done: 0, tasks: 0, counts: {}, outcomes: new Set(), finished: false };
      this.stats.set(path, s);
    }
    return s;
  }

  all(): StepStat[] {
    return [...this.stats.values()];
  }

  /** No more nodes of this step can be created. */
  settled(path: string): boolean {
    const s = this.stats.get(path);
    if (!s) return false;
    if (s.parent === undefined) return true;
    const p = this.stats.get(s.parent);
    return p !== undefined && p.unexpanded === 0 && this.settled(s.parent);
  }

  /** True once, the first time the step is complete. */
  takeFinished(path: string): StepStat | undefined {
    const s = this.stats.get(path);
    if (!s || s.finished || s.startedAt === undefined) return undefined;
    if (s.done < s.created || !this.settled(path)) return undefined;
    s.finished = true;
    return s;
  }

  static outcome(s: StepStat): NodeOutcome {
    if (s.outcomes.has('failed')) return 'failed';
    if (s.outcomes.has('caught')) return 'caught';
    if (s.outcomes.size === 1 && s.outcomes.has('skipped')) return 'skipped';
    return 'succeeded';
  }
}
