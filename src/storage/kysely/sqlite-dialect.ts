// Kysely's SQLite dialect, minus three costs it puts on every query: its connection mutex wakes every waiter on each
// release (O(n²) under concurrent requests: measured at 13x slower token issuance with 50 connections), it
// prepares each statement anew, and every write outside a transaction is its own commit. Here waiters queue FIFO and
// get the connection handed over, statements are reused by SQL text, and writes are group-committed (issue #10 §2):
// the single-statement writes (INSERT/UPDATE/DELETE) made in one event-loop turn run in one transaction, committed
// at setImmediate, and each caller's promise settles only after that commit. A response therefore still goes out
// only once its own write is durable (WAL with synchronous=NORMAL: it survives a kill -9 of the process), while the
// WAL grows by one commit per turn instead of one per request. Queued writes run at the commit, so a read made
// meanwhile sees only committed data, as before. Explicit transactions commit the queued group first and then run
// alone, as before.
import type Database from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult } from 'kysely';
import { toSqliteFault } from '../storage-fault.js';

type Statement = ReturnType<Database.Database['prepare']>;

const STATEMENT_CACHE_SIZE = 500; // distinct SQL texts are few; `in (…)` lists of many lengths are what could grow it

/** A lock that hands itself to the longest waiter: one wake-up per release, whatever the queue length. */
class FifoLock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** For the pool metrics: whether a query or transaction holds the connection, and how many wait for it. */
  get state(): { readonly held: boolean; readonly waiting: number } {
    return { held: this.held, waiting: this.waiters.length };
  }

  /** Takes the lock if it is free, without waiting: false when it is held. */
  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.held = false;
    else next(); // still held: passed on, so no newcomer can slip in between
  }
}

/** The statements that may join a group commit: single-statement DML (not pragmas, DDL or transaction control). */
const GROUPABLE = /^\s*(insert|update|delete|replace|with)\b/i;

/**
 * Writes that must commit together or not at all (a token revoked with its audit event, issue 9 item 8), sent as one
 * query: they join the group commit as one unit inside a savepoint, so a failure undoes the unit and nothing else.
 * Resolves with one row per statement, its numAffectedRows. Only this dialect understands it (hot-query.ts).
 */
export interface AtomicBatchQuery extends CompiledQuery {
  readonly batch: readonly { readonly sql: string; readonly parameters: readonly unknown[] }[];
}

interface Step {
  readonly statement: Statement;
  readonly parameters: unknown[];
}

interface Queued {
  /** One statement, or an atomic batch's (run in a savepoint). */
  readonly steps: readonly Step[];
  readonly atomic: boolean;
  resolve(result: QueryResult<unknown>): void;
  reject(error: unknown): void;
}

/** The one better-sqlite3 connection, its statement cache, and the group commit of single-statement writes. */
class SqliteCore {
  private readonly statements = new Map<string, Statement>();
  private queue: Queued[] | undefined; // writes waiting for this turn's group commit

  constructor(readonly db: Database.Database) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run<R>(statement: Statement, parameters: unknown[]): QueryResult<R> {
    try {
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      throw toSqliteFault(error, this.db.name); // a full or read-only disk: a typed fault, answered 503
    }
  }

  /** `begin`, `commit`, `rollback`: a full or read-only disk may refuse these too. */
  exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      throw toSqliteFault(error, this.db.name);
    }
  }

  /** Inside an explicit transaction: as is (a batch in its savepoint). */
  executeInTransaction<R>(query: CompiledQuery): QueryResult<R> {
    const batch = (query as Partial<AtomicBatchQuery>).batch;
    if (batch !== undefined) return this.runAtomically(this.prepareBatch(batch)) as QueryResult<R>;
    return this.run(this.prepare(query.sql), query.parameters as unknown[]);
  }

  private prepareBatch(batch: AtomicBatchQuery['batch']): Step[] {
    return batch.map(({ sql, parameters }) => {
      const statement = this.prepare(sql);
      if (statement.readonly || !GROUPABLE.test(sql)) throw new Error('an atomic batch holds single-statement writes only');
      return { statement, parameters: [...parameters] };
    });
  }

  /** The steps in a savepoint: all of them, or (rolled back to it) none. */
  private runAtomically(steps: readonly Step[]): QueryResult<{ numAffectedRows: bigint }> {
    this.run(this.prepare('savepoint latchkey_atomic'), []);
    try {
      const rows = steps.map(({ statement, parameters }) => ({ numAffectedRows: this.run(statement, parameters).numAffectedRows ?? 0n }));
      this.run(this.prepare('release latchkey_atomic'), []);
      return { rows };
    } catch (error) {
      if (this.db.inTransaction) {
        this.exec('rollback to latchkey_atomic');
        this.exec('release latchkey_atomic');
      }
      throw error;
    }
  }

  /**
   * Outside a transaction. Reads, pragmas and DDL run now (after any queued writes, for the latter); a single-statement
   * write is queued for this turn's group commit, and the promise settles once it is committed. Either way the
   * statement no longer needs the lock when this returns.
   */
  executeAlone<R>(query: CompiledQuery): QueryResult<R> | Promise<QueryResult<R>> {
    const batch = (query as Partial<AtomicBatchQuery>).batch;
    if (batch !== undefined) return this.enqueue<R>(this.prepareBatch(batch), true);
    const statement = this.prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.readonly) return this.run<R>(statement, parameters); // sees only committed writes, as before
    if (!GROUPABLE.test(query.sql)) {
      this.commitGroup(); // pragmas and DDL run on their own, after what was queued
      return this.run<R>(statement, parameters);
    }
    return this.enqueue<R>([{ statement, parameters }], false);
  }

  private enqueue<R>(steps: readonly Step[], atomic: boolean): Promise<QueryResult<R>> {
    if (this.queue === undefined) {
      this.queue = [];
      setImmediate(() => this.commitGroup());
    }
    const queue = this.queue;
    return new Promise<QueryResult<R>>((resolve, reject) => queue.push({ steps, atomic, resolve: resolve as Queued['resolve'], reject }));
  }

  /**
   * Runs the queued writes in one transaction and settles their callers after the commit. Synchronous from `begin` to
   * `commit`: the write lock is held for that long only, so other processes (and handles) wait microseconds.
   */
  commitGroup(): void {
    const queue = this.queue;
    if (queue === undefined) return;
    this.queue = undefined;
    const outcomes: ({ ok: true; result: QueryResult<unknown> } | { ok: false; error: unknown })[] = [];
    try {
      this.exec('begin immediate');
      for (const { steps, atomic } of queue) {
        try {
          const [step] = steps as [Step];
          outcomes.push({ ok: true, result: atomic ? this.runAtomically(steps) : this.run(step.statement, step.parameters) });
        } catch (error) {
          // A failed statement is undone alone (SQLite's statement rollback); the rest of the group goes on, unless
          // SQLite had to roll back the whole transaction, which the commit below then reports for everyone.
          outcomes.push({ ok: false, error });
          if (!this.db.inTransaction) throw error;
        }
      }
      this.exec('commit');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('rollback');
      for (const waiter of queue) waiter.reject(error);
      return;
    }
    queue.forEach((waiter, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) waiter.resolve(outcome.result);
      else waiter.reject(outcome.error);
    });
  }

  close(): void {
    this.commitGroup();
    this.db.close();
  }
}

/** One lease of the connection: from acquireConnection to releaseConnection, or released early by a lone query. */
class SqliteConnection implements DatabaseConnection {
  inTransaction = false;
  released = false;

  constructor(
    private readonly core: SqliteCore,
    private readonly lock: FifoLock,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.core.executeInTransaction<R>(query);
    if (this.released) {
      await this.lock.acquire(); // a second query on a lease that let go early (db.connection()): take it again
      this.released = false;
    }
    let outcome: QueryResult<R> | Promise<QueryResult<R>>;
    try {
      outcome = this.core.executeAlone<R>(query);
    } finally {
      this.release(); // run or queued: other queries may go (and join the group) while this one waits for its commit
    }
    return outcome;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.lock.release();
  }

  // eslint-disable-next-line require-yield -- the interface requires a generator; nothing here streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}

class SerialSqliteDriver implements Driver {
  readonly lock = new FifoLock();
  private readonly core: SqliteCore;

  constructor(db: Database.Database) {
    this.core = new SqliteCore(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire(); // one connection: a transaction keeps it until it ends
    return new SqliteConnection(this.core, this.lock);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.core.commitGroup(); // the group's writes commit on their own, before this transaction starts
    // IMMEDIATE: take the write lock at the start, waiting (busy_timeout) for another process's writer. A deferred
    // transaction that reads first cannot upgrade once another process has written since its read: SQLITE_BUSY at
    // once, without waiting. Every transaction here writes, so nothing is lost by asking first.
    this.core.exec('begin immediate');
    (connection as SqliteConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).inTransaction = false;
    try {
      this.core.exec('commit');
    } catch (error) {
      if (this.core.db.inTransaction) this.core.db.exec('rollback'); // a commit refused (disk full): undo, report the fault
      throw error;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).inTransaction = false;
    // After a failed write SQLite may have rolled back already; a second rollback would throw "no transaction is
    // active" in place of the error that caused it.
    if (this.core.db.inTransaction) this.core.exec('rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).release();
  }

  /**
   * A lone statement outside Kysely's executor (see DirectExecutor): with the lock free, a read runs now and a write
   * joins the group commit without a single promise for the lock; with it held (a transaction), it waits its turn.
   */
  execute<R>(query: CompiledQuery): QueryResult<R> | Promise<QueryResult<R>> {
    if (!this.lock.tryAcquire()) return this.lock.acquire().then(() => this.executeHoldingLock<R>(query));
    return this.executeHoldingLock<R>(query);
  }

  private executeHoldingLock<R>(query: CompiledQuery): QueryResult<R> | Promise<QueryResult<R>> {
    try {
      return this.core.executeAlone<R>(query);
    } finally {
      this.lock.release();
    }
  }

  async destroy(): Promise<void> {
    this.core.close();
  }
}

/**
 * SQLite's DDL is transactional, though Kysely's adapter does not say so. Saying so makes its Migrator read the
 * migration state and apply what is pending in one transaction, which begins IMMEDIATE: processes starting together
 * on one new file take turns (otherwise two read "nothing applied" and the second fails on "table already exists").
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Runs one precompiled statement (hot-query.ts) as Kysely's executor would, minus its cost (query ids, plugins, a
 * connection lease and several promises: ~10 µs of a ~8 µs SQLite lookup). Here on the SQLite connection; on
 * PostgreSQL as a named prepared statement (postgres-direct.ts). Outside transactions only: inside one, the statement
 * must go through the transaction's own Kysely.
 */
export type DirectExecutor = <R>(query: CompiledQuery) => QueryResult<R> | Promise<QueryResult<R>>;

/** `new Kysely({ dialect: new SerialSqliteDialect(database) })` */
export class SerialSqliteDialect extends SqliteDialect {
  private driver: SerialSqliteDriver | undefined;

  constructor(private readonly database: Database.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    this.driver = new SerialSqliteDriver(this.database);
    return this.driver;
  }

  /** The executor for hot queries; call after the Kysely instance is made (it creates the driver). */
  directExecutor(): DirectExecutor {
    const driver = this.driver;
    if (driver === undefined) throw new Error('the Kysely instance has not been created yet');
    return (query) => driver.execute(query);
  }

  /** The one connection as a pool of one (the metrics): idle when nothing holds it, waiting = the lock's queue. */
  poolStats(): { total: number; idle: number; waiting: number } {
    const state = this.driver?.lock.state ?? { held: false, waiting: 0 };
    return { total: 1, idle: state.held ? 0 : 1, waiting: state.waiting };
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
