/**
 * `--run-id-file`: checked before the run is recorded, so a path that cannot be written fails
 * the command at once (exit 2) instead of leaving behind a recorded run that says `running`
 * forever; the id is written once the run is recorded, so an id in the file always names a run
 * that `resume` can find. The check creates nothing (the file would land in the code snapshot).
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FlowctlError } from '../errors.js';

/** Throws a FlowctlError (exit 2) naming `shown` when `file` cannot be created or written. */
export async function prepareRunIdFile(file: string, shown: string): Promise<void> {
  try {
    const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (st?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    await access(st ? file : path.dirname(file), constants.W_OK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'its folder does not exist' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new FlowctlError('RUN_ID_FILE', `cannot write --run-id-file ${shown}: ${why}`, {
      hint: 'pass a path in an existing, writable folder; nothing was run',
      cause: e,
    });
  }
}

/** Writes the id; a failure now (disk full) only warns: the run is recorded and goes on, and stdout has the id. */
export async function writeRunIdFile(file: string, runId: string): Promise<void> {
  try {
    await writeFile(file, runId + '\n');
  } catch (e) {
    process.stderr.write(`warning: could not write the run id to ${file}: ${(e as Error).message}\n`);
  }
}
