// Issue 9 item 7: a full or read-only disk is logged as one clear error (once a minute while it lasts), not as a
// stack trace per request; each refused request still logs its own warning.
import type { FastifyBaseLogger } from 'fastify';
import type { StorageFaultError, StorageFaultKind } from '../storage/storage-fault.js';

const MESSAGES = {
  'read-only': 'the database is read-only: requests that write get 503 until it is writable again',
  'disk-full': 'the disk holding the database is full: requests that write get 503 until there is space again',
  'io-error': 'the database cannot be written (I/O error): requests that write get 503 until it is repaired',
} as const satisfies Record<StorageFaultKind, string>;

const REPEAT_AFTER_MS = 60_000;
const lastLogged = new Map<StorageFaultKind, number>();

/** Logs `fault` at error level unless the same kind was logged within the last minute. */
export function logStorageFault(fault: StorageFaultError, log: FastifyBaseLogger, now = Date.now()): void {
  const last = lastLogged.get(fault.kind);
  if (last !== undefined && now - last < REPEAT_AFTER_MS) return;
  lastLogged.set(fault.kind, now);
  log.error({ database: fault.database, reason: fault.message }, MESSAGES[fault.kind]);
}
