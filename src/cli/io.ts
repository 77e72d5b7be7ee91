// What a CLI command may touch: its streams and environment, injected so commands run in tests.
import type { Readable } from 'node:stream';

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdin is a terminal (prompts) or a pipe (--password-stdin). */
  readonly interactive: boolean;
}

/** A failure the user made: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const processIo = (): CliIo => ({
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  env: process.env,
  interactive: process.stdin.isTTY === true,
});
