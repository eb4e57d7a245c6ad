/**
 * jest globalSetup: the whole suite gets a temp directory of its own (TMPDIR, inherited by the
 * test workers and every process they start), so global-teardown.mjs can tell what the suite
 * left behind from what other programs on the machine keep in /tmp.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flowctl-jest-'));
  // Like /tmp: tasks that run as another user (setpriv) must reach their files in it.
  chmodSync(root, 0o1777);
  process.env.FLOWCTL_TEST_TMPDIR = root;
  process.env.TMPDIR = root;
}
