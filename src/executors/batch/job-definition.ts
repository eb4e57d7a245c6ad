/**
 * Job definitions: one per distinct (image, resources, roles, platform, secrets), named from a
 * hash of what it holds (`flowctl-<hash>`), registered once and reused while an ACTIVE
 * revision exists, so a thousand runs of the same step make one definition, and changing
 * the image or the memory makes a new one. The command is not in it: each submission says
 * which attempt to run.
 */
import { createHash } from 'node:crypto';
import type { KeyValuePair, RegisterJobDefinitionCommandInput, ResourceRequirement, Secret } from '@aws-sdk/client-batch';
import type { AttemptSpec, BatchPlacement } from '../../store/records.js';
import type { BatchCalls } from './calls.js';

/** Memory (MiB) of a job whose step says none (`resources.memory: 0`): Batch needs a number. */
export const DEFAULT_MEMORY_MIB = 2048;
/** vCPU values Fargate accepts. */
const FARGATE_VCPUS = [0.25, 0.5, 1, 2, 4, 8, 16];

/** The definition a batch attempt needs; `secrets` are `{name, valueFrom}` (ARNs, never values). */
export function jobDefinitionInput(spec: Pick<AttemptSpec, 'image' | 'resources'>, placement: BatchPlacement, secrets: Secret[]): RegisterJobDefinitionCommandInput {
  const fargate = placement.platform === 'FARGATE';
  const r = spec.resources;
  const vcpu = fargate ? FARGATE_VCPUS.find((v) => v >= r.cpu) ?? r.cpu : Math.max(1, Math.ceil(r.cpu));
  const resourceRequirements: ResourceRequirement[] = [
    { type: 'VCPU', value: String(vcpu) },
    { type: 'MEMORY', value: String(r.memory > 0 ? r.memory : DEFAULT_MEMORY_MIB) },
    ...(r.gpu > 0 ? [{ type: 'GPU' as const, value: String(r.gpu) }] : []),
  ];
  const body: Omit<RegisterJobDefinitionCommandInput, 'jobDefinitionName'> = {
    type: 'container',
    platformCapabilities: [placement.platform],
    containerProperties: {
      image: spec.image,
      resourceRequirements,
      ...(placement.jobRole ? { jobRoleArn: placement.jobRole } : {}),
      ...(placement.executionRole ? { executionRoleArn: placement.executionRole } : {}),
      ...(secrets.length ? { secrets: [...secrets].sort((a, b) => (a.name! < b.name! ? -1 : 1)) } : {}),
      ...(fargate ? {
        fargatePlatformConfiguration: { platformVersion: 'LATEST' },
        networkConfiguration: { assignPublicIp: placement.assignPublicIp ? 'ENABLED' : 'DISABLED' },
      } : {}),
    },
    // flowctl retries failed attempts itself (each attempt its own record and logs): one try per job.
    retryStrategy: { attempts: 1 },
  };
  return { jobDefinitionName: definitionName(body), ...body };
}

/** `flowctl-` and 24 hex digits of the sha256 of the definition's content. */
export function definitionName(body: object): string {
  return `flowctl-${createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 24)}`;
}

/** Registered definitions, by name: `name:revision` once known (one lookup or registration per name per run). */
export class JobDefinitions {
  private readonly known = new Map<string, Promise<string>>();

  constructor(private readonly calls: BatchCalls) {}

  /** The `name:revision` to submit with: the newest ACTIVE revision of the name, else a new one. */
  ensure(input: RegisterJobDefinitionCommandInput): Promise<string> {
    const name = input.jobDefinitionName!;
    let p = this.known.get(name);
    if (!p) {
      p = this.lookUpOrRegister(input);
      // A failure is not remembered: the next submission tries again.
      p.catch(() => this.known.delete(name));
      this.known.set(name, p);
    }
    return p;
  }

  private async lookUpOrRegister(input: RegisterJobDefinitionCommandInput): Promise<string> {
    const name = input.jobDefinitionName!;
    const active = (await this.calls.activeDefinitions(name)).filter((d) => d.jobDefinitionName === name && d.status !== 'INACTIVE');
    const newest = active.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    if (newest?.revision !== undefined) return `${name}:${newest.revision}`;
    const made = await this.calls.register(input);
    return `${made.name}:${made.revision}`;
  }
}

/** Environment pairs in Batch's shape. */
export function environmentOf(env: Record<string, string>): KeyValuePair[] {
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
