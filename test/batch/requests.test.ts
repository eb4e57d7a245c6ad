/**
 * Issue 15: what flowctl asks of AWS Batch, with the SDK client mocked (aws-sdk-client-mock):
 * job definitions named from their content and reused while ACTIVE, submissions (array jobs,
 * the `flowctl task` command, only flowctl's own settings in the environment, no secret
 * anywhere), and the secrets a job definition names.
 */
import { BatchClient, DescribeJobDefinitionsCommand, RegisterJobDefinitionCommand } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchCalls } from '../../src/executors/batch/calls.js';
import { jobSecrets } from '../../src/executors/batch/executor.js';
import { DEFAULT_MEMORY_MIB, jobDefinitionInput, JobDefinitions } from '../../src/executors/batch/job-definition.js';
import { jobName, submitJobInput } from '../../src/executors/batch/submission.js';
import { attemptSpec, placement } from './helpers.js';

describe('job definitions', () => {
  test('are named from their content: same settings, same name; any change, a new one', () => {
    const a = jobDefinitionInput(attemptSpec(), placement, []);
    expect(a.jobDefinitionName).toMatch(/^flowctl-[0-9a-f]{24}$/);
    expect(jobDefinitionInput(attemptSpec({ taskId: '9', command: 'other', attempt: 2 }), placement, []).jobDefinitionName).toBe(a.jobDefinitionName);
    const names = new Set([
      a.jobDefinitionName,
      jobDefinitionInput(attemptSpec({ image: 'ghcr.io/acme/train:1.3' }), placement, []).jobDefinitionName,
      jobDefinitionInput(attemptSpec({ resources: { cpu: 2, memory: 8192, gpu: 0 } }), placement, []).jobDefinitionName,
      jobDefinitionInput(attemptSpec(), { ...placement, jobRole: 'arn:aws:iam::123456789012:role/other' }, []).jobDefinitionName,
      jobDefinitionInput(attemptSpec(), placement, [{ name: 'FLOW_PARAM_TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/t' }]).jobDefinitionName,
    ]);
    expect(names.size).toBe(5);
  });

  test('hold the image, resources, role and one-try retry strategy; the queue is not part of them', () => {
    const d = jobDefinitionInput(attemptSpec({ resources: { cpu: 1.5, memory: 0, gpu: 1 } }), placement, []);
    expect(d).toMatchObject({
      type: 'container', platformCapabilities: ['EC2'], retryStrategy: { attempts: 1 },
      containerProperties: {
        image: 'ghcr.io/acme/train:1.2', jobRoleArn: placement.jobRole,
        resourceRequirements: [{ type: 'VCPU', value: '2' }, { type: 'MEMORY', value: String(DEFAULT_MEMORY_MIB) }, { type: 'GPU', value: '1' }],
      },
    });
    expect(JSON.stringify(d)).not.toContain('gpu-queue');
    expect(d.containerProperties!.command).toBeUndefined();
    expect(jobDefinitionInput(attemptSpec(), { ...placement, queue: 'other' }, []).jobDefinitionName).toBe(jobDefinitionInput(attemptSpec(), placement, []).jobDefinitionName);
  });

  test('on Fargate: a vCPU size Fargate offers, the execution role, the network setting', () => {
    const d = jobDefinitionInput(attemptSpec({ resources: { cpu: 0.3, memory: 1024, gpu: 0 } }), {
      ...placement, platform: 'FARGATE', executionRole: 'arn:aws:iam::123456789012:role/exec', assignPublicIp: true,
    }, []);
    expect(d.platformCapabilities).toEqual(['FARGATE']);
    expect(d.containerProperties).toMatchObject({
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec', networkConfiguration: { assignPublicIp: 'ENABLED' },
      resourceRequirements: [{ type: 'VCPU', value: '0.5' }, { type: 'MEMORY', value: '1024' }],
    });
  });

  test('an ACTIVE revision is reused; none: one registration, however many ask at once', async () => {
    const batch = mockClient(BatchClient);
    const input = jobDefinitionInput(attemptSpec(), placement, []);
    const name = input.jobDefinitionName!;
    batch.on(DescribeJobDefinitionsCommand, { jobDefinitionName: name, status: 'ACTIVE' })
      .resolves({ jobDefinitions: [{ jobDefinitionName: name, revision: 3, status: 'ACTIVE', jobDefinitionArn: 'a', type: 'container' }, { jobDefinitionName: name, revision: 7, status: 'ACTIVE', jobDefinitionArn: 'b', type: 'container' }] });
    const defs = new JobDefinitions(new BatchCalls(batch as unknown as BatchClient));
    expect(await defs.ensure(input)).toBe(`${name}:7`);
    expect(batch.commandCalls(RegisterJobDefinitionCommand)).toHaveLength(0);

    batch.reset();
    batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    batch.on(RegisterJobDefinitionCommand).resolves({ jobDefinitionName: name, revision: 1, jobDefinitionArn: 'arn' });
    const fresh = new JobDefinitions(new BatchCalls(batch as unknown as BatchClient));
    expect(await Promise.all([fresh.ensure(input), fresh.ensure(input), fresh.ensure(input)])).toEqual([`${name}:1`, `${name}:1`, `${name}:1`]);
    expect(batch.commandCalls(RegisterJobDefinitionCommand)).toHaveLength(1);
    expect(batch.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input).toEqual(input);
    batch.restore();
  });

  test('a failed look-up is not remembered: the next submission tries again', async () => {
    const batch = mockClient(BatchClient);
    const input = jobDefinitionInput(attemptSpec(), placement, []);
    batch.on(DescribeJobDefinitionsCommand).rejectsOnce(Object.assign(new Error('denied'), { name: 'ClientException' })).resolves({ jobDefinitions: [] });
    batch.on(RegisterJobDefinitionCommand).resolves({ jobDefinitionName: input.jobDefinitionName, revision: 1, jobDefinitionArn: 'arn' });
    const defs = new JobDefinitions(new BatchCalls(batch as unknown as BatchClient));
    await expect(defs.ensure(input)).rejects.toThrow('denied');
    expect(await defs.ensure(input)).toBe(`${input.jobDefinitionName}:1`);
    batch.restore();
  });
});

describe('submissions', () => {
  const env = {
    FLOWCTL_S3_ENDPOINT: 'http://minio:9000', FLOWCTL_S3_FORCE_PATH_STYLE: '1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'shh-secret-key',
    AWS_SESSION_TOKEN: 'tok', FLOWCTL_PARAM_TOKEN: 'param-secret', HOME: '/home/me', FLOWCTL_LOG_SHIP_MS: '2000',
  };

  test('a plain job runs `flowctl task` on its attempt, with flowctl\'s store settings and nothing else from here', () => {
    const input = submitJobInput({ specs: [attemptSpec({ timeoutMs: 30_000 })], definition: 'flowctl-abc:2', queue: 'gpu-queue', datastore: 's3://team/flowctl', env });
    expect(input).toEqual({
      jobName: 'flowctl-train-fit-3-a1', jobQueue: 'gpu-queue', jobDefinition: 'flowctl-abc:2',
      containerOverrides: {
        command: ['flowctl', 'task', '--datastore', 's3://team/flowctl', 'train/20261130T120000.000Z-abc123/fit/3/1'],
        environment: [{ name: 'FLOWCTL_S3_ENDPOINT', value: 'http://minio:9000' }, { name: 'FLOWCTL_S3_FORCE_PATH_STYLE', value: '1' }, { name: 'FLOWCTL_LOG_SHIP_MS', value: '2000' }],
      },
      // The job's own limit is the attempt's plus time to stage and upload; never under Batch's minimum of 60 s.
      timeout: { attemptDurationSeconds: 330 },
    });
    const text = JSON.stringify(input);
    for (const v of ['AKIAEXAMPLE', 'shh-secret-key', 'param-secret', '/home/me']) expect(text).not.toContain(v);
  });

  test('a fan-out is one array job whose children find their attempt in the stored list', () => {
    const specs = [0, 1, 2, 3].map((i) => attemptSpec({ taskId: String(i) }));
    const input = submitJobInput({ specs, definition: 'd:1', queue: 'q', datastore: 's3://b/p', arrayId: 'fit-abc', env: {} });
    expect(input.arrayProperties).toEqual({ size: 4 });
    expect(input.containerOverrides).toEqual({ command: ['flowctl', 'task', '--datastore', 's3://b/p', '--array', 'train/20261130T120000.000Z-abc123/fit-abc'] });
    expect(input.jobName).toBe('flowctl-train-fit-x4-a1');
    expect(input.timeout).toBeUndefined();
    expect(() => submitJobInput({ specs, definition: 'd:1', queue: 'q', datastore: 's3://b/p', env: {} })).toThrow(/stored list/);
  });

  test('job names keep to what Batch accepts', () => {
    const name = jobName(attemptSpec({ step: 'per_fold.fit', taskId: '2.1', flow: 'a'.repeat(200) }));
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(jobName(attemptSpec({ step: 'per_fold.fit', taskId: '2.1' }))).toBe('flowctl-train-per_fold_fit-2_1-a1');
  });
});

describe('secrets', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token';

  test('a secret param the task gets whole comes from its Secrets Manager ARN (valueFrom), by variable name', () => {
    const spec = attemptSpec({ secretEnv: ['FLOW_PARAM_TOKEN', 'FLOW_SECRET_1'], batch: { ...placement, secrets: { token: arn } } });
    expect(jobSecrets(spec, { secretSources: { FLOW_PARAM_TOKEN: 'token', FLOW_SECRET_1: 'token' } })).toEqual([
      { name: 'FLOW_PARAM_TOKEN', valueFrom: arn }, { name: 'FLOW_SECRET_1', valueFrom: arn },
    ]);
  });

  test('a secret with no source, or a value computed from one, is refused with what to do', () => {
    const spec = attemptSpec({ secretEnv: ['FLOW_PARAM_TOKEN'] });
    expect(jobSecrets(spec, { secretSources: { FLOW_PARAM_TOKEN: 'token' } })).toMatch(/secret param 'token' has no source on AWS Batch: add batch: \{ secrets: \{ token: arn:aws:secretsmanager:/);
    const derived = attemptSpec({ secretEnv: ['FLOW_SECRET_1'], batch: { ...placement, secrets: { token: arn } } });
    expect(jobSecrets(derived, { secretSources: {} })).toMatch(/FLOW_SECRET_1 holds a value computed from a secret .* use the param whole/);
  });
});
