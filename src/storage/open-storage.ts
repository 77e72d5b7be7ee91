// Opens the database named by LATCHKEY_DATABASE_URL: embedded SQLite (WAL) by default, PostgreSQL for scale.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { createClientCache } from './client-cache.js';
import { createKyselyStorage } from './kysely/kysely-storage.js';
import type { Database } from './kysely/schema.js';
import { postgresDirectExecutor } from './kysely/postgres-direct.js';
import { SerialSqliteDialect, type DirectExecutor } from './kysely/sqlite-dialect.js';
import { migrations } from './migrations/index.js';
import { startSqliteCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';
import { diagnoseSqliteAccess } from './storage-fault.js';
import type { Storage } from './storage.js';

/** The database cannot be opened or reached; the message is one line, safe to print. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

export interface OpenStorageOptions {
  readonly poolSize?: number;
  /** Apply pending migrations before returning (default true). */
  readonly migrate?: boolean;
  /** Cache client records this long in the process (client-cache.ts; the server passes CLIENT_CACHE_TTL_MS). Default 0: off. */
  readonly clientCacheTtlMs?: number;
}

/** Hides the password of a postgres:// URL for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

// BIGINT (int8) columns hold epoch milliseconds: well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The connection pool's state, for the metrics (issue 10 item 5). */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

function openKysely(url: string, poolSize: number): { db: Kysely<Database>; dialect: Storage['dialect']; poolStats: () => PoolStats; direct?: DirectExecutor } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const serial = new SerialSqliteDialect(openSqliteFile(path));
    const db = new Kysely<Database>({ dialect: serial });
    return { db, dialect: 'sqlite', poolStats: () => serial.poolStats(), direct: serial.directExecutor() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
    pool.on('error', () => {
      // An idle client lost its connection (server restart); the pool replaces it on next use.
    });
    pool.on('connect', (client) => {
      // A checked-out client between two statements (mid-transaction, or awaiting signing) has no pool listener:
      // PostgreSQL going away then emits 'error' on it, which unhandled would crash the process. Its next query
      // fails instead (→ 503 temporarily_unavailable) and the pool discards it on release (it is not queryable).
      client.on('error', () => undefined);
    });
    const poolStats = (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', poolStats, direct: postgresDirectExecutor(pool) };
  }
  throw new StorageUnavailableError(`unknown database scheme in ${redactDatabaseUrl(url)} (use sqlite:PATH or postgres://…)`);
}

/**
 * Opens the SQLite file for writing, or throws one line naming the file and what is read-only. SQLite itself opens a
 * file it may not write read-only without a word, and the server would find out at its first write.
 */
function openSqliteFile(path: string): SQLite.Database {
  let database: SQLite.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    database = new SQLite(path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes, fast commits
    database.pragma('busy_timeout = 5000'); // several processes may share the file
    database.pragma('foreign_keys = ON');
    probeWritable(database);
    return database;
  } catch (error) {
    if (database?.inTransaction === true) database.exec('rollback');
    database?.close();
    const reason = path === ':memory:' ? undefined : diagnoseSqliteAccess(path);
    throw new StorageUnavailableError(`cannot open sqlite:${path}${reason === undefined ? '' : ' for writing'}: ${reason ?? (error as Error).message}`);
  }
}

/** A write that changes nothing, rolled back: SQLITE_READONLY if the file was opened read-only. */
function probeWritable(database: SQLite.Database): void {
  const version = Number(database.pragma('user_version', { simple: true }));
  try {
    database.exec(`begin immediate; pragma user_version = ${version}; rollback`);
  } catch (error) {
    if (database.inTransaction) database.exec('rollback');
    // Another process holds the write lock past busy_timeout: it writes, so the file is writable.
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration; resolves to the names applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db: db as Kysely<unknown>, provider }).migrateToLatest();
  if (error !== undefined) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Opens, checks reachability, and (by default) migrates. Throws StorageUnavailableError with one clear line. */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage & { migrate(): Promise<string[]>; poolStats(): PoolStats }> {
  let opened: ReturnType<typeof openKysely>;
  try {
    opened = openKysely(url, options.poolSize ?? 10);
  } catch (error) {
    if (error instanceof StorageUnavailableError) throw error;
    throw new StorageUnavailableError(`cannot open ${redactDatabaseUrl(url)}: ${(error as Error).message}`);
  }
  const { db, dialect, poolStats, direct } = opened;
  let checkpointer: Checkpointer | undefined;
  const close = async (): Promise<void> => {
    await checkpointer?.stop();
    await db.destroy();
  };
  const cacheMs = options.clientCacheTtlMs ?? 0;
  const storage = createKyselyStorage(db, dialect, close, { clientCache: cacheMs > 0 ? createClientCache({ ttlMs: cacheMs }) : undefined, direct });
  try {
    await storage.ping();
    if (options.migrate !== false) await migrateToLatest(db);
    if (dialect === 'sqlite') checkpointer = await startSqliteCheckpointer(db, url.slice('sqlite:'.length));
  } catch (error) {
    await close().catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StorageUnavailableError(`cannot reach the database at ${redactDatabaseUrl(url)}: ${reason}`);
  }
  return { ...storage, migrate: () => migrateToLatest(db), poolStats };
}
