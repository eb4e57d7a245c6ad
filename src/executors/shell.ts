/** Locating the shell and the root-protection wrapper the local executor runs commands under. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

const found = new Map<string, string | undefined>();

/** Absolute path of an executable on `pathEnv`, or undefined; cached per name and PATH. */
export function findExecutable(name: string, pathEnv: string = process.env.PATH ?? ''): string | undefined {
  const key = `${name}\0${pathEnv}`;
  if (!found.has(key)) {
    let hit: string | undefined;
    for (const dir of pathEnv.split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) {
          hit = candidate;
          break;
        }
      } catch {
        // not here
      }
    }
    found.set(key, hit);
  }
  return found.get(key);
}

/** Capabilities that let root write to (and read) files whatever their mode bits say. */
export const DROPPED_CAPS = '-dac_override,-dac_read_search,-fowner';

let guard: Promise<string[] | undefined> | undefined;

/**
 * The argv prefix that runs a command as root *without* root's file-permission override,
 * or undefined when not root or setpriv cannot do it here.
 *
 * Why: staged inputs are hardlinks to store objects with mode 0444. A normal user cannot
 * write through them, but root ignores mode bits, so `echo x >> input.csv` in a task run
 * as root (CI, containers) would silently corrupt the store for every later run. Dropping
 * CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH/CAP_FOWNER from the bounding set makes such a write
 * fail with EACCES, as it would for anyone else. It does not stop a deliberate `chmod`
 * (root still owns the file); it is a guard against accidents, not a sandbox.
 *
 * setpriv is probed once per process (a real run, since busybox's setpriv or a container
 * without CAP_SETPCAP cannot drop bounding-set capabilities).
 */
export function readOnlyGuard(): Promise<string[] | undefined> {
  guard ??= probeGuard();
  return guard;
}

async function probeGuard(): Promise<string[] | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const setpriv = ['/usr/bin/setpriv', findExecutable('setpriv')].find((p) => p !== undefined && isExecutable(p));
  const sh = findExecutable('sh');
  if (!setpriv || !sh) return undefined;
  const prefix = [setpriv, '--bounding-set', DROPPED_CAPS, '--'];
  const probe = await execa(prefix[0]!, [...prefix.slice(1), sh, '-c', ':'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return probe.exitCode === 0 ? prefix : undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
