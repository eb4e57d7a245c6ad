/**
 * Image identity for one run: each image a step names is looked up (and pulled, per the
 * step's `pull:`) once, and its id (`sha256:…`, the digest of its config, which covers every
 * layer) is what the cache key covers and what every container of the run starts from. A tag
 * moved to another image therefore re-runs the step, and cannot change mid-run what it runs.
 */
import type { PullPolicy } from '../../store/records.js';
import { runtimeCommand } from './cli.js';
import type { ContainerRuntime } from './runtime.js';

const INSPECT_TIMEOUT_MS = 60_000;
/** How podman and docker say that a name is not an image reference at all (whatever the pull policy). */
const INVALID_NAME = /invalid reference format|repository name must be lowercase/;
const PULL_TIMEOUT_MS = 30 * 60_000;

/** An image that cannot be had; the message names it and says what to do. */
export class ImageError extends Error {
  readonly code = 'IMAGE_UNAVAILABLE';
}

/** Resolves images to ids, once per image and policy, for one run. */
export class ImageResolver {
  private readonly memo = new Map<string, Promise<string>>();

  constructor(private readonly runtime: () => Promise<ContainerRuntime>) {}

  /**
   * The id of `image` (`sha256:<hex>`), pulling it first when `pull` says so.
   * @throws ImageError when it is absent and may not be pulled, the pull fails, or the name is not a valid reference.
   */
  resolve(image: string, pull: PullPolicy = 'missing'): Promise<string> {
    const key = `${pull}\0${image}`;
    let p = this.memo.get(key);
    if (!p) this.memo.set(key, (p = this.lookUp(image, pull)));
    return p;
  }

  private async lookUp(image: string, pull: PullPolicy): Promise<string> {
    const rt = await this.runtime();
    if (pull !== 'always') {
      const found = await inspect(rt, image);
      if ('id' in found) return found.id;
      if (found.invalid) throw new ImageError(`'${image}' is not a valid image name (${rt.kind}: ${found.error})`);
      if (pull === 'never') {
        throw new ImageError(`image ${image} is not present locally, and pull: never forbids pulling it; load, build or pull it first (${rt.kind} pull ${image})`);
      }
    }
    const pulled = await runtimeCommand(rt.bin, [...quiet(rt), 'pull', image], { timeoutMs: PULL_TIMEOUT_MS });
    if (pulled.exitCode !== 0) {
      const why = pulled.timedOut ? `no answer within ${PULL_TIMEOUT_MS / 60_000} minutes` : pulled.errorLine || `exit code ${pulled.exitCode}`;
      if (INVALID_NAME.test(why)) throw new ImageError(`'${image}' is not a valid image name (${rt.kind}: ${why})`);
      throw new ImageError(`could not pull image ${image} (pull: ${pull}): ${why}`);
    }
    const after = await inspect(rt, image);
    if ('id' in after) return after.id;
    throw new ImageError(`image ${image} was pulled but cannot be inspected: ${after.error}`);
  }
}

async function inspect(rt: ContainerRuntime, image: string): Promise<{ id: string } | { error: string; invalid: boolean }> {
  const r = await runtimeCommand(rt.bin, [...quiet(rt), 'image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: INSPECT_TIMEOUT_MS });
  const id = r.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (r.exitCode === 0 && /^(sha256:)?[0-9a-f]{64}$/.test(id)) return { id: id.startsWith('sha256:') ? id : `sha256:${id}` };
  const error = r.timedOut ? `no answer within ${INSPECT_TIMEOUT_MS / 1000}s` : r.errorLine || `exit code ${r.exitCode}`;
  return { error, invalid: INVALID_NAME.test(error) };
}

function quiet(rt: ContainerRuntime): string[] {
  return rt.kind === 'podman' ? ['--log-level=error'] : [];
}
