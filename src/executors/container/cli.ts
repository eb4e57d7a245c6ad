/**
 * Short runtime CLI calls (probe, image inspect/pull, stop, rm, ps) and the words of their
 * failures. The long-running `run` goes through the spawner instead (container-runner.ts).
 */
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The runtime's own error message (`Error: …` of podman, `Error response from daemon: …` of docker), else its last stderr line. */
  errorLine: string;
}

/** Runs `bin args…` without a shell; never throws for a failing command (ENOENT is exit code undefined with a message). */
export async function runtimeCommand(bin: string, args: string[], o: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  const r = await execa(bin, args, {
    reject: false, stdin: 'ignore', timeout: o.timeoutMs, env: o.env, extendEnv: o.env === undefined, encoding: 'utf8', maxBuffer: 16 * 2 ** 20,
  });
  const stderr = String(r.stderr ?? '');
  const spawnFailure = r.exitCode === undefined && !r.timedOut && !r.signal ? (r as { shortMessage?: string }).shortMessage ?? '' : '';
  return {
    exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout ?? ''), stderr, timedOut: r.timedOut,
    errorLine: runtimeErrorLine(stderr) ?? lastLine(stderr) ?? firstLine(spawnFailure),
  };
}

const ERROR_LINE = /^(?:Error: |Error response from daemon: |docker: )/;

/** The runtime's own error line in some stderr text (the last one), without level/time noise. */
export function runtimeErrorLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (ERROR_LINE.test(l)) return clip(l);
    const m = /level=(?:error|fatal) msg="(.*)"$/.exec(l);
    if (m) return clip(`Error: ${m[1]!.replace(/\\"/g, '"')}`);
  }
  return undefined;
}

/** The container's init (catatonit for podman, tini for docker) could not exec the shell: the image has none of that name. */
const INIT_EXEC_FAILED = /^(?:ERROR \(catatonit:\d+\): failed to exec pid1|\[FATAL tini \(\d+\)\] exec .* failed)/;

/** What a stderr line of the runtime's CLI is, when it is not the command's own: the runtime's error, or the init's failure to start the shell. */
export function runtimeLineKind(line: string): 'runtime' | 'no-shell' | undefined {
  const l = line.trim();
  if (INIT_EXEC_FAILED.test(l)) return 'no-shell';
  return ERROR_LINE.test(l) ? 'runtime' : undefined;
}

/**
 * What to do about a runtime failure that says its OCI runtime may not set the container's
 * limits (crun on a VM without the privilege): the fix is the podman drop-in of the README.
 */
export function runtimeFixHint(kind: string, errorLine: string): string {
  return kind === 'podman' && /setrlimit|RLIMIT_|cgroup.*(?:permission denied|operation not permitted)/i.test(errorLine)
    ? '; podman needs configuring on this machine (runc, cgroupfs, default_ulimits): see the README section "Setting up podman on a fresh Debian machine"'
    : '';
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length ? clip(lines[lines.length - 1]!) : undefined;
}

function firstLine(text: string): string {
  return clip(text.split('\n')[0]!.trim());
}

function clip(s: string): string {
  return s.length > 500 ? `${s.slice(0, 497)}...` : s;
}
