/**
 * The engine without processes or a store: a fake TaskRunner decides each task's outcome, so
 * scheduling, catch, groups, fan-outs and values are checked in milliseconds.
 */
import { RunEngine, type TaskOutcome, type TaskRunner } from '../../src/runtime/engine.js';
import type { RunEventInput } from '../../src/runtime/event-bus.js';
import type { TaskNode } from '../../src/graph/graph-state.js';
import type { PreparedTask } from '../../src/graph/plan-tasks.js';
import { validateSource } from '../../src/spec/load.js';
import { parseText } from '../../src/spec/read-yaml.js';
import type { FlowSpec } from '../../src/spec/types.js';

function spec(yaml: string): FlowSpec {
  const read = parseText('flow.yaml', '/p/flow.yaml', yaml, '0'.repeat(64));
  if (!read.source) throw new Error(JSON.stringify(read.problems));
  const r = validateSource(read.source);
  if (!r.spec) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.spec;
}

/** Runs tasks by a rule; records what ran, with what command and inputs, and how many at once. */
class FakeRunner implements TaskRunner {
  unresolved?: TaskRunner['unresolved'];
  readonly started: Array<{ name: string; command: string; inputs: string[] }> = [];
  readonly recorded: Array<{ name: string; state: string; reason?: string }> = [];
  running = 0;
  peak = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly rule: (name: string, command: string) => Partial<TaskOutcome> = () => ({}), private readonly hold = false) {}

  async run(task: Readonly<TaskNode>, prepared: PreparedTask, signal: AbortSignal): Promise<TaskOutcome> {
    const name = `${task.node.path}/${task.taskId}`;
    this.started.push({ name, command: prepared.command, inputs: prepared.staging.map((s) => s.rel) });
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else await new Promise((r) => setTimeout(r, 1));
    this.running--;
    if (signal.aborted) return { state: 'failed', values: {}, outputs: [], reason: 'interrupted' };
    const out = this.rule(name, prepared.command);
    const state = out.state ?? 'succeeded';
    return {
      state, values: out.values ?? {}, reason: out.reason, caught: state === 'failed' ? task.node.spec.catch : undefined,
      outputs: out.outputs ?? (state === 'failed' ? [] : task.node.spec.outputs.map((p) => ({ path: p, type: 'file' as const, hash: `h-${name}`, size: 1 }))),
    };
  }

  async record(task: Readonly<TaskNode>): Promise<void> {
    this.recorded.push({ name: `${task.node.path}/${task.taskId}`, state: task.state, reason: task.reason });
  }

  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

async function run(yaml: string, runner: TaskRunner, opts: { maxWorkers?: number; cpu?: number } = {}) {
  const events: RunEventInput[] = [];
  const engine = new RunEngine({
    spec: spec(yaml), runId: 'r', params: {}, maxWorkers: opts.maxWorkers ?? 4, cpuBudget: opts.cpu ?? 4, memoryBudgetMb: 1 << 20,
    runner, emit: (e) => events.push(e),
  });
  const result = await engine.run();
  return { result, events, engine };
}

describe('engine with a fake task runner', () => {
  test('a fan-out and its join: items expanded, outputs staged under step/index, values joined in item order', async () => {
    const runner = new FakeRunner((name) => (name.startsWith('fit/') ? { values: { score: Number(name.split('/')[1]) * 10 } } : {}));
    const { result, events } = await run(`
version: 1
name: f
steps:
  split: { run: echo split }
  fit:
    needs: [split]
    foreach: [a, b, c]
    run: echo \${{ item }}
    outputs: [m.json]
  join:
    needs: [fit]
    run: echo \${{ toJSON(steps.fit.values.score) }}
`, runner);
    expect(result).toMatchObject({ failed: false, counts: { succeeded: 5 } });
    expect(runner.started.map((s) => s.name)).toEqual(['split/0', 'fit/0', 'fit/1', 'fit/2', 'join/0']);
    const join = runner.started.find((s) => s.name === 'join/0')!;
    expect(join.command).toBe("echo '[0,10,20]'");
    expect(join.inputs).toEqual(['fit/0/m.json', 'fit/1/m.json', 'fit/2/m.json']);
    expect(events.filter((e) => e.type === 'step-finished').map((e) => (e as { step: string }).step)).toEqual(['split', 'fit', 'join']);
  });

  test('a runner that cannot resolve a step (the dry run) has it completed without tasks; the walk goes on downstream', async () => {
    const runner = new FakeRunner(() => ({ values: {} }));
    const asked: string[] = [];
    runner.unresolved = (node) => {
      asked.push(node.path);
      return node.path === 'fit' || node.path === 'grp' ? 'values not known yet' : undefined;
    };
    const { result, events } = await run(`
version: 1
name: f
steps:
  split: { run: echo split }
  fit:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    run: echo \${{ item }}
  grp:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    steps:
      inner: { run: echo inner }
  join:
    needs: [fit, grp]
    run: echo join
`, runner);
    // Without the hook, expanding foreach over a value split never set fails the run.
    expect(result).toMatchObject({ failed: false, counts: { succeeded: 2 } });
    expect(asked).toEqual(['split', 'fit', 'grp', 'join']);
    expect(runner.started.map((s) => s.name)).toEqual(['split/0', 'join/0']);
    expect(events.filter((e) => e.type === 'step-finished').map((e) => (e as { step: string }).step)).toEqual(expect.arrayContaining(['fit', 'grp', 'join']));
  });

  test('nested groups give dotted task ids, and every inner task sees its own enclosing items', async () => {
    const runner = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  outer:
    foreach: [a, b]
    steps:
      inner:
        foreach: [x, y]
        run: echo \${{ items[0] }}-\${{ item }}
`, runner);
    expect(runner.started.map((s) => `${s.name} ${s.command}`)).toEqual([
      "outer.inner/0.0 echo a-x", "outer.inner/0.1 echo a-y", "outer.inner/1.0 echo b-x", "outer.inner/1.1 echo b-y",
    ]);
  });

  test('at most --max-workers tasks at once, and tasks that do not fit the CPU budget wait', async () => {
    const runner = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  many: { foreach: [1, 2, 3, 4, 5, 6, 7, 8], run: "true" }
`, runner, { maxWorkers: 3 });
    expect(runner.peak).toBe(3);
    const heavy = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  big: { foreach: [1, 2, 3, 4], run: "true", resources: { cpu: 2 } }
`, heavy, { maxWorkers: 4, cpu: 4 });
    expect(heavy.peak).toBe(2);
  });

  test('an uncaught failure stops new tasks; a caught one lets downstream steps run', async () => {
    const failing = new FakeRunner((name) => (name === 'a/0' ? { state: 'failed', reason: 'exit code 1' } : {}));
    const stopped = await run(`
version: 1
name: f
steps:
  a: { run: "false" }
  b: { needs: [a], run: "true" }
`, failing);
    expect(stopped.result.failed).toBe(true);
    expect(failing.started.map((s) => s.name)).toEqual(['a/0']);

    const caught = new FakeRunner((name) => (name === 'a/0' ? { state: 'failed', reason: 'exit code 1' } : {}));
    const goes = await run(`
version: 1
name: f
steps:
  a: { run: "false", catch: true }
  b: { needs: [a], run: "echo \${{ steps.a.state }}" }
`, caught);
    expect(goes.result).toMatchObject({ failed: false, caughtFailures: 1 });
    expect(caught.started.find((s) => s.name === 'b/0')!.command).toBe('echo failed');
  });

  test('a skipped step is recorded without running; a per-item if: skips items', async () => {
    const runner = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  never: { if: "\${{ false }}", run: "true" }
  after: { needs: [never], run: "true" }
  some: { foreach: [1, 2, 3], if: "\${{ item != 2 }}", run: "echo \${{ item }}" }
`, runner);
    expect(runner.started.map((s) => s.name).sort()).toEqual(['some/0', 'some/2']);
    expect(runner.recorded).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'never/0', state: 'skipped' }),
      expect.objectContaining({ name: 'after/0', state: 'skipped' }),
      expect.objectContaining({ name: 'some/1', state: 'skipped' }),
    ]));
  });

  test('interrupt: running tasks see the abort, nothing new starts, the result says interrupted', async () => {
    const runner = new FakeRunner(() => ({}), true);
    const events: RunEventInput[] = [];
    const engine = new RunEngine({
      spec: spec(`
version: 1
name: f
steps:
  a: { foreach: [1, 2, 3, 4], run: "true" }
  b: { needs: [a], run: "true" }
`), runId: 'r', params: {}, maxWorkers: 2, cpuBudget: 4, memoryBudgetMb: 1024, runner, emit: (e) => events.push(e),
    });
    const done = engine.run();
    await new Promise((r) => setTimeout(r, 20));
    engine.interrupt(false);
    runner.release();
    const result = await done;
    expect(result.interrupted).toBe(true);
    expect(runner.started.map((s) => s.name)).toEqual(['a/0', 'a/1']);
  });

  test('tasks of a remote executor (batch) do not count against this machine\'s CPU', async () => {
    const local = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  big: { foreach: [1, 2, 3, 4], run: "true", resources: { cpu: 4 } }
`, local, { maxWorkers: 4, cpu: 4 });
    expect(local.peak).toBe(1);
    const remote = new FakeRunner();
    await run(`
version: 1
name: f
steps:
  big: { foreach: [1, 2, 3, 4], run: "true", resources: { cpu: 4 }, executor: batch, image: busybox }
`, remote, { maxWorkers: 4, cpu: 4 });
    expect(remote.peak).toBe(4);
  });
});
