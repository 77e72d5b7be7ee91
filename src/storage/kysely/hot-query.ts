// Precompiled SQL for the hottest statements (issue #10 §2): the access-token insert of every token response and
// its lookup on every introspection. Kysely's builder and compiler cost more CPU than SQLite's work for these
// (~75% of an insert's JavaScript time in the profile), so their text is written once, per dialect, and sent as is
// through the same Kysely executor (same connection handling, transactions and group commit).
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from '../storage.js';

/** `text` with `?` placeholders (SQLite's), renumbered `$1…` for PostgreSQL; returns a runner for its parameters. */
export function hotQuery<Row, DB = unknown>(db: Kysely<DB>, dialect: Dialect, text: string): (parameters: readonly unknown[]) => Promise<Row[]> {
  let n = 0;
  const sql = dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return async (parameters) => (await db.executeQuery<Row>(CompiledQuery.raw(sql, [...parameters]))).rows;
}

/** hotQuery for a write: the runner resolves to the number of rows it inserted, updated or deleted. */
export function hotWrite<DB = unknown>(db: Kysely<DB>, dialect: Dialect, text: string): (parameters: readonly unknown[]) => Promise<bigint> {
  let n = 0;
  const sql = dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return async (parameters) => (await db.executeQuery(CompiledQuery.raw(sql, [...parameters]))).numAffectedRows ?? 0n;
}
