// Runs a `latchkey …` command in-process against a test server's database, as the README tells an operator to.
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { TestServer } from './test-server.js';

/** Runs `argv` with `stdin`, expects exit code 0, and returns stdout and stderr joined. */
export async function latchkeyCommand(server: TestServer, argv: string[], stdin = ''): Promise<string> {
  const out: string[] = [];
  const code = await run(argv, {
    stdout: (line) => out.push(line),
    stderr: (line) => out.push(line),
    stdin: Readable.from([Buffer.from(stdin)]),
    env: { LATCHKEY_DATA_DIR: server.dataDir, LATCHKEY_DATABASE_URL: server.config.databaseUrl },
    interactive: false,
  });
  expect(code, out.join('\n')).toBe(0);
  return out.join('\n');
}
