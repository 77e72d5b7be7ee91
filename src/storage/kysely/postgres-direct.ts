// The hot queries' way past Kysely on PostgreSQL (hot-query.ts): straight to the pool, as a named prepared statement,
// so PostgreSQL parses and plans each hot statement once per connection instead of on every execution
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY). Outside transactions only,
// like the SQLite one: a transaction's statements go through its own connection.
import { createHash } from 'node:crypto';
import type { CompiledQuery, QueryResult } from 'kysely';
import type pg from 'pg';
import type { DirectExecutor } from './sqlite-dialect.js';

export function postgresDirectExecutor(pool: pg.Pool): DirectExecutor {
  const names = new Map<string, string>();
  const nameOf = (sql: string): string => {
    let name = names.get(sql);
    if (name === undefined) names.set(sql, (name = `latchkey_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`));
    return name;
  };
  return async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const result = await pool.query({ name: nameOf(query.sql), text: query.sql, values: query.parameters as unknown[] });
    const { command, rowCount } = result;
    const writes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return { rows: result.rows as R[], ...(writes && rowCount !== null && { numAffectedRows: BigInt(rowCount) }) };
  };
}
