import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode, FlowctlError } from '../errors.js';

export default class Task extends BaseCommand {
  static override hidden = true;
  static override summary = 'Run one stored attempt of a task on this machine (the entrypoint of container and AWS Batch jobs).';
  static override description = `Reads the attempt's spec from the store (attempts/<n>/spec.json, written by the orchestrating
flowctl), stages its inputs, runs its command, and writes its outputs, logs and attempt.json back to the store.
Secret variables named in the spec are taken from this process's environment. Exit code 0 when the
attempt succeeded, 1 when it failed, 2 when the spec cannot be read.`;

  static override examples = [
    '<%= config.bin %> task --datastore s3://team/flowctl train/20261126T131500.123Z-ab12cd/fit/2/1',
    'AWS_BATCH_JOB_ARRAY_INDEX=3 <%= config.bin %> task --datastore s3://team/flowctl --array train/20261126T131500.123Z-ab12cd/fit-lq2x9a',
  ];

  static override args = {
    attempt: Args.string({ description: 'FLOW/RUN_ID/STEP/TASK_ID/ATTEMPT (not with --array)' }),
  };

  static override flags = {
    datastore: Flags.string({ description: 'the store the spec is in (a path or s3://bucket/prefix; env FLOWCTL_DATASTORE)' }),
    array: Flags.string({ description: 'FLOW/RUN_ID/ARRAY_ID: run the attempt of this AWS Batch array job child (entry AWS_BATCH_JOB_ARRAY_INDEX of the stored list)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Task);
    const { parseAttemptRef, parseJobArrayRef, resolveJobArrayChild, runStoredAttempt } = await import('../executors/stored-attempt.js');
    const { openStore } = await import('../store/open.js');
    if ((args.attempt === undefined) === (flags.array === undefined)) {
      throw new FlowctlError('BAD_ATTEMPT_REF', 'give either FLOW/RUN_ID/STEP/TASK_ID/ATTEMPT or --array FLOW/RUN_ID/ARRAY_ID', {
        hint: 'e.g. flowctl task --datastore s3://team/flowctl train/20261126T131500.123Z-ab12cd/fit/2/1',
      });
    }
    const arrayRef = flags.array === undefined ? undefined : parseJobArrayRef(flags.array);
    const direct = args.attempt === undefined ? undefined : parseAttemptRef(args.attempt);
    const store = await openStore({ datastore: flags.datastore, cwd: process.cwd() });
    const ref = direct ?? (await resolveJobArrayChild(store, arrayRef!));
    const abort = new AbortController();
    const stop = () => abort.abort('interrupt');
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const record = await runStoredAttempt(store, ref, { signal: abort.signal });
    process.stderr.write(`${ref.step}/${ref.taskId} attempt ${ref.attempt}: ${record.state}${record.reason ? ` (${record.reason})` : ''}\n`);
    if (record.state !== 'succeeded') this.exit(ExitCode.StepFailed);
  }
}
