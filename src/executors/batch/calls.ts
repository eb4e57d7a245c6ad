/**
 * The five AWS Batch calls flowctl makes, each through withRetry: DescribeJobs takes at most
 * 100 ids (Batch's limit), SubmitJob is resent only when the service cannot have acted on it,
 * and every call is counted (the benchmark reports requests per job).
 */
import {
  DescribeJobDefinitionsCommand, DescribeJobsCommand, RegisterJobDefinitionCommand, SubmitJobCommand, TerminateJobCommand,
  type BatchClient, type JobDefinition, type JobDetail, type RegisterJobDefinitionCommandInput, type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { DEFAULT_RETRY, isSafeToResend, withRetry, type RetryOptions } from './retry.js';

/** Batch's limit on ids per DescribeJobs call. */
export const DESCRIBE_LIMIT = 100;

export class BatchCalls {
  /** Calls made, by operation (retries included). */
  readonly counts: Record<string, number> = {};

  constructor(private readonly client: BatchClient, private readonly retry: RetryOptions = DEFAULT_RETRY) {}

  async register(input: RegisterJobDefinitionCommandInput): Promise<{ name: string; revision: number; arn: string }> {
    const out = await this.send('RegisterJobDefinition', () => this.client.send(new RegisterJobDefinitionCommand(input)));
    return { name: out.jobDefinitionName!, revision: out.revision!, arn: out.jobDefinitionArn! };
  }

  /** Active revisions of a job definition name. */
  async activeDefinitions(name: string): Promise<JobDefinition[]> {
    const found: JobDefinition[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.send('DescribeJobDefinitions', () => this.client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE', nextToken })));
      found.push(...(out.jobDefinitions ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return found;
  }

  /** @returns the job id. */
  async submit(input: SubmitJobCommandInput): Promise<string> {
    const out = await this.send('SubmitJob', () => this.client.send(new SubmitJobCommand(input)), { retryable: isSafeToResend });
    return out.jobId!;
  }

  /** @throws RangeError past DESCRIBE_LIMIT ids (callers chunk). */
  async describe(ids: string[], onRetry?: RetryOptions['onRetry']): Promise<JobDetail[]> {
    if (ids.length > DESCRIBE_LIMIT) throw new RangeError(`DescribeJobs takes at most ${DESCRIBE_LIMIT} ids, got ${ids.length}`);
    const out = await this.send('DescribeJobs', () => this.client.send(new DescribeJobsCommand({ jobs: ids })), { onRetry });
    return out.jobs ?? [];
  }

  async terminate(jobId: string, reason: string): Promise<void> {
    await this.send('TerminateJob', () => this.client.send(new TerminateJobCommand({ jobId, reason })));
  }

  private send<T>(op: string, call: () => Promise<T>, extra: Partial<RetryOptions> = {}): Promise<T> {
    return withRetry(() => {
      this.counts[op] = (this.counts[op] ?? 0) + 1;
      return call();
    }, { ...this.retry, ...extra });
  }
}
