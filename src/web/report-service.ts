/** `flowctl report RUN -o FILE` as a service: build the report, write it whole (temp + rename), say where. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Run, type ClientContext } from '../client/index.js';
import { ExitCode, FlowctlError } from '../errors.js';
import { buildReport } from './report.js';

export interface ReportOptions {
  run: string;
  ctx: ClientContext;
  /** A file path, `-` for stdout; default `<flow>-<run-id>.html` in the working directory. */
  output?: string;
  force: boolean;
}

/** Writes the report and prints its path. @throws FlowctlError FILE_EXISTS / WRITE_FAILED (exit 2) */
export async function writeReport(opts: ReportOptions): Promise<void> {
  const run = await Run.get(opts.run, opts.ctx);
  const html = await buildReport(run, { version: packageVersion() });
  if (opts.output === '-') {
    process.stdout.write(html);
    return;
  }
  const target = path.resolve(opts.output ?? `${run.flow}-${run.id}.html`);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new FlowctlError('FILE_EXISTS', `${target} is a directory`, { exitCode: ExitCode.Usage, hint: 'Give a file name, e.g. -o report.html.' });
  if (existing && !opts.force) throw new FlowctlError('FILE_EXISTS', `${target} already exists`, { exitCode: ExitCode.Usage, hint: 'Pass --force to replace it, or choose another path.' });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.flowctl-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, html);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? `${path.dirname(target)} is not a directory` : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left on the device' : undefined;
    if (why) throw new FlowctlError('WRITE_FAILED', `Cannot write ${target}: ${why}`, { exitCode: ExitCode.Usage });
    throw e;
  }
  process.stdout.write(`${target}\n`);
  process.stderr.write(`report of ${run.pathspec} (${run.state}): ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, opens offline in any browser\n`);
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}
