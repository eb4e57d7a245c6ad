#!/usr/bin/env node
// Entry point: oclif reads oclif.manifest.json so only the invoked command module is imported.
import { execute } from '@oclif/core';

// Ctrl-C before a command installs its own handling (run/resume do) exits like a shell would.
const early = () => process.exit(130);
process.on('SIGINT', early);
process.on('SIGTERM', early);
globalThis.__flowctlEarlySignalHandler = early;

await execute({ dir: import.meta.url });
