// WAL checkpoints off the event loop (https://www.sqlite.org/wal.html#ckpt). SQLite's auto-checkpoint runs inside
// whichever commit crosses the threshold and fsyncs the database file there: better-sqlite3 is synchronous, so every
// request on the event loop waits for the disk. Measured on the token endpoint's insert: ~160 µs wall per insert with
// auto-checkpoint, ~45 µs without. A worker thread with its own connection checkpoints instead; the main connection
// keeps a far larger auto-checkpoint threshold as a safety net should the worker fall behind or die.
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';

/** Pages the WAL may grow to before a commit on the event loop checkpoints anyway (4 KiB pages: ~80 MB). */
export const SAFETY_NET_CHECKPOINT_PAGES = 20_000;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('node:module').createRequire(workerData.base)('better-sqlite3');
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)'); // never waits for readers or writers: what it cannot copy now, it copies next time
  } catch {
    // busy or closing: the next tick (or the main connection's safety net) catches up
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** For a SQLite file (not `:memory:`): raises the connection's auto-checkpoint threshold and starts the worker. */
export async function startSqliteCheckpointer<DB>(db: Kysely<DB>, path: string, intervalMs = 1000): Promise<Checkpointer | undefined> {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return undefined;
  await sql.raw(`pragma wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`).execute(db);
  const worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, base: import.meta.url } });
  worker.unref(); // never what keeps the process alive
  worker.on('error', () => {
    // the safety-net auto-checkpoint on the main connection takes over
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.ref(); // until it has exited: an unref'd worker alone would let the event loop empty mid-await
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
