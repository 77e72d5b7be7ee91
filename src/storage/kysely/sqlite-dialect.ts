// Kysely's SQLite dialect, minus two costs it puts on every query: its connection mutex wakes every waiter on each
// release (O(n²) under concurrent requests: measured at 13x slower token issuance with 50 connections), and it
// prepares each statement anew. Here waiters queue FIFO and get the connection handed over, and statements are
// reused by SQL text.
import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteDialect, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult } from 'kysely';
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

class SqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const statement = this.prepare(query.sql);
      const parameters = query.parameters as unknown[];
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      throw toSqliteFault(error, this.db.name); // a full or read-only disk: a typed fault, answered 503
    }
  }

  /** False once SQLite has rolled a transaction back itself (it may, on SQLITE_FULL or an I/O error). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  // eslint-disable-next-line require-yield -- the interface requires a generator; nothing here streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}

class SerialSqliteDriver implements Driver {
  readonly lock = new FifoLock();
  private readonly connection: SqliteConnection;

  constructor(private readonly db: Database.Database) {
    this.connection = new SqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire(); // one connection: a transaction keeps it until it ends
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE: take the write lock at the start, waiting (busy_timeout) for another process's writer. A deferred
    // transaction that reads first cannot upgrade once another process has written since its read: SQLITE_BUSY at
    // once, without waiting. Every transaction here writes, so nothing is lost by asking first.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // After a failed write SQLite may have rolled back already; a second rollback would throw "no transaction is
    // active" in place of the error that caused it.
    if ((connection as SqliteConnection).inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.lock.release();
  }

  async destroy(): Promise<void> {
    this.db.close();
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

  /** The one connection as a pool of one (the metrics): idle when nothing holds it, waiting = the lock's queue. */
  poolStats(): { total: number; idle: number; waiting: number } {
    const state = this.driver?.lock.state ?? { held: false, waiting: 0 };
    return { total: 1, idle: state.held ? 0 : 1, waiting: state.waiting };
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
