// Reading a password for the CLI: all of standard input (--password-stdin), or a prompt on the terminal without echo.
import type { Readable } from 'node:stream';
import { UsageError, type CliIo } from './io.js';

/** Standard input up to its end, without the one trailing newline that `echo` or a here-string adds. */
export async function readPasswordFromStdin(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('no password on standard input');
  return text;
}

/** One line typed on the terminal with echo off (raw mode), handling backspace and Ctrl-C. */
function promptHidden(io: CliIo, question: string): Promise<string> {
  const input = io.stdin as Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  return new Promise((resolve, reject) => {
    let typed = '';
    io.stderr(question);
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.resume();
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      if (error !== undefined) reject(error);
      else resolve(typed);
    };
    const onData = (data: string): void => {
      for (const char of data) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The password from --password-stdin, else asked twice on the terminal. */
export async function readNewPassword(flags: Record<string, string | undefined>, io: CliIo): Promise<string> {
  if (flags['password-stdin'] !== undefined) return readPasswordFromStdin(io.stdin);
  if (!io.interactive) throw new UsageError('standard input is not a terminal: pass the password with --password-stdin');
  const first = await promptHidden(io, 'Password: ');
  const second = await promptHidden(io, 'Repeat the password: ');
  if (first !== second) throw new UsageError('the passwords do not match');
  return first;
}
