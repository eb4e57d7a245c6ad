#!/usr/bin/env node
// Entry point: oclif reads oclif.manifest.json so only the invoked command module is imported.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
