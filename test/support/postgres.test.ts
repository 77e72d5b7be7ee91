import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresDatabase, describePostgres } from './postgres.js';

describePostgres('test support: the run-wide PostgreSQL server', () => {
  const clients: pg.Client[] = [];
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    clients.push(client);
    await client.connect();
    return client;
  };
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
  });

  it('creates a database that accepts queries', async () => {
    const client = await connect(await createPostgresDatabase());
    const { rows } = await client.query<{ one: number }>('select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('gives each caller a distinct database', async () => {
    const [first, second] = await Promise.all([createPostgresDatabase(), createPostgresDatabase()]);
    expect(first).not.toBe(second);
    const a = await connect(first);
    const b = await connect(second);
    await a.query('create table marker (id int)');
    const { rows } = await b.query<{ found: string | null }>("select to_regclass('marker')::text as found");
    expect(rows).toEqual([{ found: null }]);
    const names = await Promise.all([a, b].map(async (client) => (await client.query<{ db: string }>('select current_database() as db')).rows[0]?.db));
    expect(names).toEqual([new URL(first).pathname.slice(1), new URL(second).pathname.slice(1)]);
  });
});
