/**
 * The AWS SDK warns once per process that future versions will need Node 22. flowctl supports
 * Node 20; the warning would land in the middle of a run's output with nothing for the user to
 * do, so it is switched off while a client is constructed (the SDK remembers it was handled).
 * Used by every AWS client flowctl makes (S3, Batch).
 */
export function quietly<T>(make: () => T): T {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const before = process.env[name];
  process.env[name] = 'true';
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}
