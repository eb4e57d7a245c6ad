/**
 * A dry run keys a container step as a real run does: by the image id present here (never
 * pulling), so a step a real run would reuse reads `cached`, and a re-tagged image `would-run`.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { flowctl, makeProject } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { busyboxImage, containerSupport, type ContainerSupport } from '../helpers/containers.js';

const support: ContainerSupport = await containerSupport();
const maybe = support.runtime ? describe : describe.skip;

maybe(`dry run of container steps (${support.runtime?.kind ?? 'no runtime'})`, () => {
  test('cached after a real run; would-run once the tag points at another image', async () => {
    const runtime = support.runtime!;
    const image = await busyboxImage(runtime);
    const tag = `localhost/flowctl-dryrun-test:${process.pid}`;
    await execa(runtime.bin, ['tag', image, tag]);
    try {
      const dir = await makeProject({ 'flow.yaml': `version: 1\nname: boxdry\nsteps:\n  boxed:\n    image: ${tag}\n    run: echo hi > out.txt\n    outputs: [out.txt]\n` });
      expect((await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir })).exitCode).toBe(0);
      const plan = async () => JSON.parse((await flowctl(['run', 'flow.yaml', '--dry-run', '--json'], { cwd: dir })).stdout) as { tasks: Array<{ state: string }> };
      expect((await plan()).tasks.map((t) => t.state)).toEqual(['cached']);
      // The same tag on other content: a real run would run the step again, and so says the dry run.
      // Built outside the project: a new project file would change the code part of the key too.
      const ctx = await tempDir('flowctl-dryrun-image-');
      await writeFile(path.join(ctx, 'Containerfile'), `FROM ${image}\nRUN echo changed > /changed\n`);
      await execa(runtime.bin, ['build', '-t', tag, ctx]);
      await rm(ctx, { recursive: true, force: true });
      const why = JSON.parse((await flowctl(['run', 'flow.yaml', '--dry-run', '--json'], { cwd: dir })).stdout).tasks[0].cache.changes;
      expect(why.map((c: { part: string }) => c.part)).toEqual(['image']);
      expect((await plan()).tasks.map((t) => t.state)).toEqual(['would-run']);
    } finally {
      await execa(runtime.bin, ['rmi', '-f', tag], { reject: false });
    }
  }, 240_000);
});
