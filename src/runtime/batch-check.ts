/**
 * What a step that runs on AWS Batch needs besides an S3 datastore, checked before anything
 * runs (exit 2): an image, a job queue, a source in Secrets Manager or SSM for every secret
 * param it can read (secret values never travel in job definitions, parameters or overrides),
 * and an execution role on Fargate.
 */
import type { Problem } from '../errors.js';
import { collectRefs } from '../spec/expr/index.js';
import type { FlowSpec, TaskStepSpec, TemplateSpec } from '../spec/types.js';

export interface BatchSetup {
  /** `--datastore` or FLOWCTL_DATASTORE. */
  datastore?: string;
  /** `--batch-queue`, else FLOWCTL_BATCH_QUEUE: the queue of batch steps that name none. */
  batchQueue?: string;
}

/** The queue a batch step's jobs go to: its own (or defaults:'), else the run's. */
export function queueOf(step: TaskStepSpec, setup: BatchSetup): string | undefined {
  return step.batch?.queue ?? setup.batchQueue;
}

export function batchStepProblems(spec: FlowSpec, step: TaskStepSpec, setup: BatchSetup): Problem[] {
  const out: Problem[] = [];
  const where = step.settingLocs?.executor ?? step.loc;
  const problem = (message: string, hint: string, loc = where) => out.push({ loc, message: `step '${step.path}' runs on AWS Batch, ${message}`, hint, rule: 'executor' });
  if (!step.image) {
    problem('but has no image: a Batch job runs in a container image', 'add image: IMAGE (an image with flowctl on its PATH: see "AWS Batch" in the README)');
  }
  if (!queueOf(step, setup)) {
    problem('but no job queue is set', 'add batch: { queue: NAME } to the step or to defaults:, pass --batch-queue NAME, or set FLOWCTL_BATCH_QUEUE');
  }
  const batchLoc = step.settingLocs?.batch ?? where;
  if (step.batch?.platform === 'FARGATE') {
    if (!step.batch.executionRole) problem('on FARGATE, which needs an execution role', 'add batch: { execution_role: arn:aws:iam::ACCOUNT:role/NAME } (the role Batch pulls images and reads secrets with)', batchLoc);
    if (step.resources.gpu > 0) problem('on FARGATE, which has no GPUs', 'use an EC2 queue (batch: { platform: EC2 }) for GPU steps', batchLoc);
  }
  const secret = new Set(spec.params.filter((p) => p.secret).map((p) => p.name));
  const given = step.batch?.secrets ?? {};
  for (const name of Object.keys(given)) {
    if (!secret.has(name)) problem(`but batch.secrets names '${name}', which is not a secret param of the flow`, 'list secret params only (params: NAME: { secret: true })', batchLoc);
  }
  for (const name of readableParams(spec, step)) {
    if (!secret.has(name) || given[name] !== undefined) continue;
    problem(
      `can read secret param '${name}', and no batch.secrets entry says where Batch gets it: secret values never travel in job definitions, job parameters or overrides (anyone who can describe jobs reads those)`,
      `add batch: { secrets: { ${name}: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME } } (or an SSM parameter ARN); or, if the step does not need it, list what it reads with params: [...] and leave ${name} out`,
    );
  }
  return out;
}

/** Params a step's tasks can read: FLOW_PARAM_* (all, or its `params:` list) and those its command and env expressions use. */
function readableParams(spec: FlowSpec, step: TaskStepSpec): Set<string> {
  const names = new Set(step.params ?? spec.params.map((p) => p.name));
  const templates: TemplateSpec[] = [step.run, ...Object.values(step.env)];
  for (const t of templates) {
    for (const part of t.template.parts) {
      if (typeof part === 'string') continue;
      for (const ref of collectRefs(part.expr)) {
        if (ref.root !== 'params') continue;
        const first = ref.segments[0];
        // `params` whole, or indexed by a computed key, may reach any of them.
        if (typeof first === 'string') names.add(first);
        else for (const p of spec.params) names.add(p.name);
      }
    }
  }
  return names;
}
