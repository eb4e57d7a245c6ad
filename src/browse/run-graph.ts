/**
 * A run's DAG with what happened in each step: the DAG the run recorded when it started (so a
 * flow file edited since does not change it), each step's state, task counts and duration
 * from the store, and a group's state summed up from its steps. Behind `graph --run` and
 * the picture `show RUN` draws on a terminal.
 */
import type { Run } from '../client/run.js';
import type { StepJson } from '../client/types.js';
import { dagOfPlan, type Dag, type DagStep, type StepMark } from '../graph/model.js';
import { renderDag, type GraphFormat } from '../graph/render.js';
import { mapLimit } from '../store/fs-util.js';
import { formatCounts } from '../term/format.js';
import { LOOK } from '../term/look.js';
import { paint } from '../term/table.js';
import { duration } from './format.js';

const STEPS_IN_PARALLEL = 4;

export interface RunGraph {
  dag: Dag;
  marks: Map<string, StepMark>;
}

/**
 * The run's DAG and a mark per step (groups included). `steps`: the run's step summaries when
 * the caller has them already. `compact`: marks say only the state (show RUN has a table for the rest).
 * `icons: false`: state words without the live view's icons (NO_COLOR on a terminal).
 */
export async function runGraph(run: Run, o: { steps?: StepJson[]; compact?: boolean; icons?: boolean } = {}): Promise<RunGraph> {
  const steps = o.steps ?? (await mapLimit(await run.steps(), STEPS_IN_PARALLEL, (s) => s.summary()));
  const plan = await run.plan();
  // A run recorded before plans were: its steps, unconnected.
  const dag = plan ? dagOfPlan(run.flow, plan) : { name: run.flow, steps: steps.map((s) => ({ name: s.step, path: s.step, needs: [] })) };
  const byStep = new Map(steps.map((s) => [s.step, s]));
  const marks = new Map<string, StepMark>();
  const visit = (s: DagStep): Summary => {
    const sum = s.steps ? combine(s.steps.map(visit)) : fromStep(byStep.get(s.path), run.finished);
    marks.set(s.path, { state: sum.state, label: label(sum, !!o.compact, o.icons ?? true) });
    return sum;
  };
  dag.steps.forEach(visit);
  return { dag, marks };
}

/** The picture in `format`; text is coloured when `color` (a terminal). */
export function renderRunGraph(g: RunGraph, format: GraphFormat, o: { color?: boolean; title?: string } = {}): string {
  return renderDag(g.dag, format, {
    marks: g.marks, title: o.title,
    paint: o.color ? (m) => colorOf(m.state)(m.label) : undefined,
  });
}

interface Summary {
  state: string;
  tasks: number;
  counts: Record<string, number>;
  startedAt: string | null;
  finishedAt: string | null;
}

function fromStep(s: StepJson | undefined, runFinished: boolean): Summary {
  if (!s) return { state: runFinished ? 'not-run' : 'pending', tasks: 0, counts: {}, startedAt: null, finishedAt: null };
  return { state: s.state, tasks: s.tasks, counts: { ...s.counts } as Record<string, number>, startedAt: s.startedAt, finishedAt: s.finishedAt };
}

/** A group's state from its steps' states. */
function combine(parts: Summary[]): Summary {
  const counts: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.counts)) counts[k] = (counts[k] ?? 0) + n;
  const has = (st: string) => parts.some((p) => p.state === st);
  const all = (...st: string[]) => parts.length > 0 && parts.every((p) => st.includes(p.state));
  const state = has('running') ? 'running'
    : has('failed') ? 'failed'
    : has('pending') ? (parts.some((p) => p.tasks > 0) ? 'running' : 'pending')
    : has('caught') ? 'caught'
    : all('not-run') ? 'not-run'
    : has('not-run') ? 'stopped'
    : all('skipped') ? 'skipped'
    : all('cached') ? 'cached'
    : 'succeeded';
  const starts = parts.map((p) => p.startedAt).filter((x): x is string => !!x).sort();
  const ends = parts.map((p) => p.finishedAt).filter((x): x is string => !!x).sort();
  const done = parts.every((p) => p.finishedAt !== null || p.state === 'not-run' || p.state === 'skipped');
  return { state, tasks: parts.reduce((n, p) => n + p.tasks, 0), counts, startedAt: starts[0] ?? null, finishedAt: done ? ends.at(-1) ?? null : null };
}

function label(s: Summary, compact: boolean, icons: boolean): string {
  const look = LOOK[s.state as keyof typeof LOOK];
  const word = look?.word ?? s.state;
  const head = icons && look?.icon ? `${look.icon} ${word}` : word;
  if (compact || s.tasks === 0) return head;
  const kinds = Object.keys(s.counts).filter((k) => s.counts[k]);
  const tasks = `${s.tasks} task${s.tasks === 1 ? '' : 's'}${kinds.length > 1 ? ` (${formatCounts(s.counts)})` : ''}`;
  const took = s.startedAt && s.finishedAt ? duration(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : undefined;
  return [head, tasks, took].filter(Boolean).join(' · ');
}

function colorOf(state: string): (s: string) => string {
  switch (LOOK[state as keyof typeof LOOK]?.color) {
    case 'green': return paint.green;
    case 'red': return paint.red;
    case 'yellow': return paint.yellow;
    case 'cyan': return paint.cyan;
    case 'blue': return paint.blue;
    case 'gray': return paint.dim;
    default: return (s) => s;
  }
}
