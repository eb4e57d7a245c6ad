/** oclif `postrun` hook: after `flowctl autocomplete` (re)builds the completion files, add flowctl's own. Kept tiny: it loads for every command. */
import type { Hook } from '@oclif/core';

const hook: Hook<'postrun'> = async function (opts) {
  if (opts.Command.id !== 'autocomplete') return;
  const { extendCompletion } = await import('./completion.js');
  await extendCompletion(opts.config.cacheDir, opts.config.bin);
};

export default hook;
