/**
 * The inverse of `keys` (records.ts): what a key found by a listing holds. fsck and gc walk
 * the whole key space and judge each key by what it is.
 */
import type { LogStream } from './store-logs.js';

export type KeyKind =
  | { kind: 'run'; flow: string; runId: string }
  | { kind: 'events'; flow: string; runId: string }
  | { kind: 'task'; flow: string; runId: string; step: string; taskId: string }
  | { kind: 'attempt'; flow: string; runId: string; step: string; taskId: string; attempt: number }
  | { kind: 'attempt-spec'; flow: string; runId: string; step: string; taskId: string; attempt: number }
  | { kind: 'log'; flow: string; runId: string; step: string; taskId: string; attempt: number; stream: LogStream }
  | { kind: 'job-array'; flow: string; runId: string; arrayId: string }
  | { kind: 'tags'; flow: string; runId: string }
  | { kind: 'run-index'; runId: string }
  | { kind: 'cache-entry'; cacheKey: string }
  | { kind: 'code'; hash: string }
  | { kind: 'code-stat-cache' | 'cache-secret' | 'gc-lock' | 'other' };

const ATTEMPT_FILES: Record<string, 'attempt' | 'attempt-spec' | LogStream> = { 'attempt.json': 'attempt', 'spec.json': 'attempt-spec', stdout: 'stdout', stderr: 'stderr' };

/** @example parseKey('flows/train/runs/R/steps/fit/tasks/3/task.json') → { kind: 'task', flow: 'train', runId: 'R', step: 'fit', taskId: '3' } */
export function parseKey(key: string): KeyKind {
  const p = key.split('/');
  if (p[0] === 'flows' && p.length >= 4) {
    const flow = p[1]!;
    if (p[2] === 'tags' && p.length === 4 && p[3]!.endsWith('.json')) return { kind: 'tags', flow, runId: p[3]!.slice(0, -5) };
    if (p[2] !== 'runs' || p.length < 5) return { kind: 'other' };
    const runId = p[3]!;
    if (p.length === 5 && p[4] === 'run.json') return { kind: 'run', flow, runId };
    if (p.length === 5 && p[4] === 'events.ndjson') return { kind: 'events', flow, runId };
    if (p.length === 6 && p[4] === 'arrays' && p[5]!.endsWith('.json')) return { kind: 'job-array', flow, runId, arrayId: p[5]!.slice(0, -5) };
    if (p[4] !== 'steps' || p[6] !== 'tasks' || p.length < 9) return { kind: 'other' };
    const [step, taskId] = [p[5]!, p[7]!];
    if (p.length === 9 && p[8] === 'task.json') return { kind: 'task', flow, runId, step, taskId };
    if (p.length === 11 && p[8] === 'attempts' && /^\d+$/.test(p[9]!)) {
      const what = ATTEMPT_FILES[p[10]!];
      const attempt = Number(p[9]);
      if (what === 'attempt' || what === 'attempt-spec') return { kind: what, flow, runId, step, taskId, attempt };
      if (what) return { kind: 'log', flow, runId, step, taskId, attempt, stream: what };
    }
    return { kind: 'other' };
  }
  if (p[0] === 'runs' && p.length === 2) return { kind: 'run-index', runId: p[1]! };
  if (p[0] === 'code' && p.length === 2) return { kind: 'code', hash: p[1]! };
  if (key === 'cache/code-stat.json') return { kind: 'code-stat-cache' };
  if (p[0] === 'cache' && p[1] === 'tasks' && p.length === 4 && p[3]!.endsWith('.json')) return { kind: 'cache-entry', cacheKey: p[3]!.slice(0, -5) };
  if (key === 'config/cache-secret') return { kind: 'cache-secret' };
  if (key === 'locks/gc.json' || key === 'locks/gc.lock') return { kind: 'gc-lock' };
  return { kind: 'other' };
}
