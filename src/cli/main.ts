#!/usr/bin/env node
// The `latchkey` executable.
import { processIo } from './io.js';
import { run } from './run.js';

run(process.argv.slice(2), processIo()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`latchkey: unexpected error: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
