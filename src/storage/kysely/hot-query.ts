// Precompiled SQL for the hottest statements (issue #10 §2): the access-token insert of every token response and
// its lookup on every introspection, the audit insert, revocation, the replay guard, UserInfo's user. Kysely's builder
// and compiler cost more CPU than SQLite's work for these (~75% of an insert's JavaScript time in the profile), so
// their text is written once, per dialect, and sent as is: outside a transaction past Kysely's executor (DirectExecutor:
// SQLite's connection, PostgreSQL's pool as a prepared statement), inside one through the transaction's Kysely.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from '../storage.js';
import type { AtomicBatchQuery, DirectExecutor } from './sqlite-dialect.js';

/**
 * `text` with `?` placeholders (SQLite's), renumbered `$1…` for PostgreSQL; returns a runner for its parameters.
 * With `direct` (outside a transaction) the statement skips Kysely's executor as well as its builder.
 */
export function hotQuery<Row, DB = unknown>(db: Kysely<DB>, dialect: Dialect, text: string, direct?: DirectExecutor): (parameters: readonly unknown[]) => Promise<Row[]> {
  const sql = forDialect(dialect, text);
  const execute = executorFor(db, direct);
  return async (parameters) => (await execute<Row>(CompiledQuery.raw(sql, [...parameters]))).rows;
}

/** The direct executor where it may be used (outside a transaction), else Kysely's. */
function executorFor<DB>(db: Kysely<DB>, direct: DirectExecutor | undefined): DirectExecutor {
  if (direct !== undefined && !db.isTransaction) return direct;
  return <R>(query: CompiledQuery) => db.executeQuery<R>(query);
}

/** hotQuery for a write: the runner resolves to the number of rows it inserted, updated or deleted. */
export function hotWrite<DB = unknown>(db: Kysely<DB>, dialect: Dialect, text: string, direct?: DirectExecutor): (parameters: readonly unknown[]) => Promise<bigint> {
  const sql = forDialect(dialect, text);
  const execute = executorFor(db, direct);
  return async (parameters) => (await execute(CompiledQuery.raw(sql, [...parameters]))).numAffectedRows ?? 0n;
}

/**
 * Single-statement writes that commit together or not at all; the runner takes one parameter list per statement and
 * resolves to each one's affected row count. SQLite: one unit of the group commit, in a savepoint (sqlite-dialect.ts),
 * so no transaction of its own; PostgreSQL: a transaction (or the caller's).
 */
export function hotAtomicWrites<DB = unknown>(db: Kysely<DB>, dialect: Dialect, texts: readonly string[], direct?: DirectExecutor): (parameters: readonly (readonly unknown[])[]) => Promise<bigint[]> {
  const sqls = texts.map((text) => forDialect(dialect, text));
  if (dialect === 'sqlite') {
    const execute = executorFor(db, direct);
    return async (parameters) => {
      const query: AtomicBatchQuery = { ...CompiledQuery.raw(sqls.join(';\n'), []), batch: sqls.map((sql, i) => ({ sql, parameters: parameters[i] ?? [] })) };
      return (await execute<{ numAffectedRows: bigint }>(query)).rows.map((row) => row.numAffectedRows);
    };
  }
  const runAll = async (on: Kysely<DB>, parameters: readonly (readonly unknown[])[]): Promise<bigint[]> => {
    const counts: bigint[] = [];
    for (const [i, sql] of sqls.entries()) counts.push((await on.executeQuery(CompiledQuery.raw(sql, [...(parameters[i] ?? [])]))).numAffectedRows ?? 0n);
    return counts;
  };
  const run = (text: string): Promise<unknown> => db.executeQuery(CompiledQuery.raw(text, []));
  return async (parameters) => {
    if (!db.isTransaction) return db.transaction().execute((trx) => runAll(trx, parameters));
    await run('savepoint latchkey_atomic'); // inside the caller's transaction: undo only these on failure, as on SQLite
    try {
      const counts = await runAll(db, parameters);
      await run('release savepoint latchkey_atomic');
      return counts;
    } catch (error) {
      await run('rollback to savepoint latchkey_atomic');
      await run('release savepoint latchkey_atomic');
      throw error;
    }
  };
}

function forDialect(dialect: Dialect, text: string): string {
  let n = 0;
  return dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
}
