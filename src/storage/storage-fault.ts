// Issue 9 item 7: a SQLite file that cannot be written (read-only file, directory or file system; full disk; I/O
// error) becomes one typed error naming the file and the reason, instead of a driver error reported as a 500.
// https://www.sqlite.org/rescode.html
import { accessSync, constants, statSync, utimesSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export type StorageFaultKind = 'read-only' | 'disk-full' | 'io-error';

/** The database is there but cannot take writes right now; reads may still work. The message is one line, safe to log. */
export class StorageFaultError extends Error {
  override readonly name = 'StorageFaultError';

  constructor(
    readonly kind: StorageFaultKind,
    readonly database: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Why this process cannot write the SQLite file at `path`, judged by access(2) as the process's own user: a
 * read-only file system, file or directory (WAL mode creates `-wal` and `-shm` beside the file). Undefined when
 * nothing of the kind is wrong (a file not created yet is fine).
 */
export function diagnoseSqliteAccess(path: string): string | undefined {
  const uid = process.getuid?.();
  const who = uid === undefined ? 'this process' : `this process (uid ${uid})`;
  for (const [target, what] of [
    [path, `the file is read-only for ${who}`],
    [dirname(path), `its directory is read-only for ${who}, and SQLite must create ${basename(path)}-wal and -shm there`],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return 'it is on a read-only file system';
      if (code === 'EACCES' || code === 'EPERM') return what;
    }
  }
  // A file system the kernel turned read-only after an error (ext4 errors=remount-ro) still passes access(2) on
  // recent kernels; a metadata write that changes nothing (the times it already has) tells.
  try {
    const { atime, mtime } = statSync(path);
    utimesSync(path, atime, mtime);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS') return 'it is on a read-only file system';
  }
  return undefined;
}

/** A better-sqlite3 error that means the file cannot be written, as a StorageFaultError; anything else unchanged. */
export function toSqliteFault(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (code === 'SQLITE_FULL') {
    return new StorageFaultError('disk-full', path, `the disk holding the SQLite database ${path} is full`, { cause: error });
  }
  const readOnly = code.startsWith('SQLITE_READONLY');
  if (!readOnly && !code.startsWith('SQLITE_IOERR') && code !== 'SQLITE_CANTOPEN') return error;
  // An I/O error is often a read-only file system (EROFS surfaces as SQLITE_IOERR_WRITE): say so when it is.
  const reason = diagnoseSqliteAccess(path);
  if (readOnly || reason !== undefined) {
    return new StorageFaultError('read-only', path, `the SQLite database ${path} is read-only: ${reason ?? (error as Error).message}`, { cause: error });
  }
  return new StorageFaultError('io-error', path, `the SQLite database ${path} cannot be written: ${(error as Error).message} (${code})`, { cause: error });
}
