import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/**
 * Transpile src/store (and src/errors.ts) to plain ESM under outDir, so a real child
 * `node` process can run the store code under test without a build step.
 * Returns the path of the compiled `store/index.js`.
 */
export async function compileStore(outDir: string): Promise<string> {
  const files = ['errors.ts', ...(await readdir(join(SRC, 'store'))).filter((f) => f.endsWith('.ts')).map((f) => `store/${f}`)];
  await mkdir(join(outDir, 'store'), { recursive: true });
  await writeFile(join(outDir, 'package.json'), '{"type":"module"}\n');
  for (const f of files) {
    const { code } = await transformFile(join(SRC, f), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
    });
    await writeFile(join(outDir, f.replace(/\.ts$/, '.js')), code);
  }
  return join(outDir, 'store', 'index.js');
}
