// The serial SQLite dialect: one connection, handed FIFO to each query or whole transaction in turn.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { toOAuthError } from '../../http/error-handler.js';
import { StorageFaultError } from '../storage-fault.js';
import { SerialSqliteDialect } from './sqlite-dialect.js';

interface Db {
  t: { n: number };
}

const open = (): Kysely<Db> => {
  const db = new Kysely<Db>({ dialect: new SerialSqliteDialect(new SQLite(':memory:')) });
  return db;
};

describe('SerialSqliteDialect', () => {
  it('a transaction holds the connection: a query sent meanwhile runs after it commits, never inside it', async () => {
    const db = open();
    await db.schema.createTable('t').addColumn('n', 'integer').execute();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ n: 1 }).execute();
      order.push('tx inserted');
      await new Promise<void>((resolve) => (release = resolve));
      await trx.insertInto('t').values({ n: 2 }).execute();
      order.push('tx done');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const outside = db.selectFrom('t').select(sql<number>`count(*)`.as('count')).executeTakeFirstOrThrow().then((row) => order.push(`outside saw ${row.count}`));
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await Promise.all([transaction, outside]);
    expect(order).toEqual(['tx inserted', 'tx done', 'outside saw 2']);
    await db.destroy();
  });

  it('serves many concurrent queries in the order they were sent', async () => {
    const db = open();
    await db.schema.createTable('t').addColumn('n', 'integer').execute();
    await Promise.all(Array.from({ length: 200 }, (_, n) => db.insertInto('t').values({ n }).execute()));
    const rows = await sql<{ n: number }>`select n from t order by rowid`.execute(db);
    expect(rows.rows.map((row) => row.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    await db.destroy();
  });

  it('a failed statement releases the connection for the next one', async () => {
    const db = open();
    await expect(sql`select * from missing`.execute(db)).rejects.toThrow(/no such table/);
    await expect(sql`select 1 as one`.execute(db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await db.destroy();
  });

  describe('Issue #10 §2: group commit of the writes made in one event-loop turn', () => {
    const onFile = (): { db: Kysely<Db>; observer: SQLite.Database; done(): Promise<void> } => {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-group-'));
      const file = new SQLite(join(dir, 'db.sqlite'));
      file.pragma('journal_mode = WAL');
      const db = new Kysely<Db>({ dialect: new SerialSqliteDialect(file) });
      const observer = new SQLite(join(dir, 'db.sqlite')); // another connection: sees only what is committed
      return {
        db,
        observer,
        async done() {
          observer.close();
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    };
    const committed = (observer: SQLite.Database): number => (observer.prepare('select count(*) as n from t').get() as { n: number }).n;

    it('concurrent inserts commit together, and each resolves only once its row is committed (visible to another connection)', async () => {
      const { db, observer, done } = onFile();
      await db.schema.createTable('t').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
      const seen: number[] = [];
      await Promise.all(Array.from({ length: 100 }, (_, n) => db.insertInto('t').values({ n }).execute().then(() => seen.push(committed(observer)))));
      // One commit for the whole turn: the first caller to hear back already finds all 100 rows committed.
      expect(seen).toEqual(Array.from({ length: 100 }, () => 100));
      await done();
    });

    it('a failing write rejects only its own caller; the rest of its group commits', async () => {
      const { db, observer, done } = onFile();
      await db.schema.createTable('t').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
      await db.insertInto('t').values({ n: 5 }).execute();
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => db.insertInto('t').values({ n }).execute()));
      expect(results.map((result) => result.status)).toEqual(Array.from({ length: 10 }, (_, n) => (n === 5 ? 'rejected' : 'fulfilled')));
      expect(committed(observer)).toBe(10);
      await done();
    });

    it('a read made while writes wait for their group sees only committed data, as before', async () => {
      const { db, observer, done } = onFile();
      await db.schema.createTable('t').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
      const insert = db.insertInto('t').values({ n: 1 }).execute();
      expect(await db.selectFrom('t').select('n').execute()).toEqual([]);
      await insert;
      expect(committed(observer)).toBe(1);
      expect(await db.selectFrom('t').select('n').execute()).toEqual([{ n: 1 }]);
      await done();
    });

    it('a transaction started while a group is open commits the group first, then runs alone', async () => {
      const { db, observer, done } = onFile();
      await db.schema.createTable('t').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
      const grouped = db.insertInto('t').values({ n: 1 }).execute();
      const inside = db.transaction().execute(async (trx) => {
        const before = committed(observer);
        await trx.insertInto('t').values({ n: 2 }).execute();
        return before;
      });
      await grouped;
      expect(await inside).toBe(1);
      expect(committed(observer)).toBe(2);
      await done();
    });
  });

  describe('Issue #10 §2: the direct executor of hot queries', () => {
    it('reads at once when the connection is free; writes join the group commit and resolve once committed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-direct-'));
      const file = new SQLite(join(dir, 'db.sqlite'));
      file.pragma('journal_mode = WAL');
      const dialect = new SerialSqliteDialect(file);
      const db = new Kysely<Db>({ dialect });
      const direct = dialect.directExecutor();
      const observer = new SQLite(join(dir, 'db.sqlite'));
      await db.schema.createTable('t').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
      const read = direct<{ count: number }>(CompiledQuery.raw('select count(*) as count from t', []));
      expect(read).toEqual({ rows: [{ count: 0 }] }); // not a promise: no lock to wait for
      const writes = Array.from({ length: 20 }, (_, n) => direct(CompiledQuery.raw('insert into t (n) values (?)', [n])));
      expect(writes.every((write) => write instanceof Promise)).toBe(true);
      expect((observer.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(0); // queued, not yet committed
      await Promise.all(writes);
      expect((observer.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(20);
      observer.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('waits while a transaction holds the connection, and never sees its uncommitted writes', async () => {
      const dialect = new SerialSqliteDialect(new SQLite(':memory:'));
      const db = new Kysely<Db>({ dialect });
      const direct = dialect.directExecutor();
      await db.schema.createTable('t').addColumn('n', 'integer').execute();
      let release: () => void = () => undefined;
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ n: 1 }).execute();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      const outside = direct<{ count: number }>(CompiledQuery.raw('select count(*) as count from t', []));
      expect(outside).toBeInstanceOf(Promise);
      let settled = false;
      void Promise.resolve(outside).then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(settled).toBe(false); // still waiting for the transaction
      release();
      await transaction;
      expect(await outside).toEqual({ rows: [{ count: 1 }] });
      await db.destroy();
    });
  });
});

describe('Issue #9 §6: several processes on one SQLite file', () => {
  it('a transaction that reads before it writes does not fail with SQLITE_BUSY when another process writes meanwhile: one waits for the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-sqlite-busy-'));
    const file = join(dir, 'shared.db');
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    const db = new Kysely<Db>({ dialect: new SerialSqliteDialect(database) });
    // The other process: its own connection, in its own thread, so that its wait for the lock does not block this one.
    const other = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const SQLite = require(workerData.module);
       const db = new SQLite(workerData.file);
       db.pragma('busy_timeout = 5000');
       parentPort.once('message', () => { db.prepare('insert into t (n) values (100)').run(); db.close(); parentPort.postMessage('written'); });`,
      { eval: true, workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3') } },
    );
    try {
      await db.schema.createTable('t').addColumn('n', 'integer').execute();
      const written = new Promise((resolve) => other.once('message', resolve));
      await db.transaction().execute(async (trx) => {
        const { count } = await trx.selectFrom('t').select(sql<number>`count(*)`.as('count')).executeTakeFirstOrThrow(); // read first
        other.postMessage('write');
        await Promise.race([written, new Promise((resolve) => setTimeout(resolve, 500))]); // it writes now, or waits for us
        await trx.insertInto('t').values({ n: count + 1 }).execute(); // then write
      });
      await written;
      expect((await db.selectFrom('t').select('n').orderBy('n').execute()).map((row) => row.n)).toEqual([1, 100]);
    } finally {
      await other.terminate();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Issue #9 §7: a full SQLite database (the real SQLITE_FULL path, through max_page_count)', () => {
  it('fails a write with a StorageFaultError naming the file, rolls back cleanly, and works again once there is room', async () => {
    const database = new SQLite(':memory:');
    const db = new Kysely<Db>({ dialect: new SerialSqliteDialect(database) });
    await db.schema.createTable('t').addColumn('n', 'integer').execute();
    const pages = Number(database.pragma('page_count', { simple: true }));
    database.pragma(`max_page_count = ${pages + 2}`);
    const fill = (trx: Kysely<Db>) => trx.insertInto('t').values(Array.from({ length: 500 }, (_, n) => ({ n }))).execute();

    // SQLite may already have rolled the transaction back itself: the fault, not "no transaction is active", comes out.
    const failure = await db.transaction().execute(async (trx) => {
      for (;;) await fill(trx);
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageFaultError);
    expect(failure).toMatchObject({ kind: 'disk-full', message: expect.stringContaining(':memory:') });
    expect(database.inTransaction).toBe(false);
    expect(toOAuthError(failure)).toMatchObject({ code: 'temporarily_unavailable', headers: { 'retry-after': '5' } });

    database.pragma('max_page_count = 1000000'); // space freed
    await db.transaction().execute(fill);
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    await db.destroy();
  });
});
