/**
 * Messages between flowctl and its spawner process (see child.ts). They travel over a Node
 * IPC channel with `serialization: 'advanced'`, so output chunks pass as bytes, not JSON.
 */

/** Which output stream of a task a message is about. */
export type Fd = 1 | 2;

/**
 * A command the spawner runs (detached, output ignored) when flowctl goes away while the
 * command it belongs to still runs: e.g. `podman rm -f NAME`, since ending a container
 * runtime's CLI process does not end its container.
 */
export interface OrphanCommand {
  file: string;
  args: string[];
}

export type ToSpawner =
  | { t: 'spawn'; id: number; file: string; args: string[]; cwd: string; env: Record<string, string>; tag: string; onOrphan?: OrphanCommand }
  /** Backpressure: flowctl cannot take more output of this stream yet / again. */
  | { t: 'pause' | 'resume'; id: number; fd: Fd };

export type FromSpawner =
  | { t: 'spawned'; id: number; pid: number; start?: string }
  /**
   * The command could not be started (`code`: the errno or Node error code, e.g. E2BIG), or,
   * after 'spawned', handling it failed inside the spawner (its process group was then killed).
   */
  | { t: 'error'; id: number; message: string; code?: string }
  | { t: 'data'; id: number; fd: Fd; chunk: Uint8Array }
  | { t: 'end'; id: number; fd: Fd }
  /**
   * The command exited. `leftovers` counts the processes of its tree still alive at that moment
   * (background jobs, daemons); -1 when the process table could not be read (the spawner then
   * killed the process group, the only part it could reach).
   */
  | { t: 'exit'; id: number; code: number | null; signal: string | null; leftovers: number };
