// Remembered consent on Kysely: one row per user and client holding the union of the scopes allowed.
import type { Kysely } from 'kysely';
import type { Consents } from '../storage.js';
import type { Database } from './schema.js';

const parse = (scope: string): string[] => scope.split(' ').filter((s) => s !== '');

export function kyselyConsents(db: Kysely<Database>): Consents {
  return {
    async find(subject, clientId) {
      const row = await db.selectFrom('consents').select('scope').where('subject', '=', subject).where('client_id', '=', clientId).executeTakeFirst();
      return row === undefined ? [] : parse(row.scope);
    },
    async remember(subject, clientId, scope, at) {
      // Two consents given at once (two tabs, two processes) must both count. A plain read-then-write loses one under
      // PostgreSQL's READ COMMITTED (both read the old scope), and under SQLite a read-first transaction cannot wait
      // for the lock. So the first statement writes: it creates the row or locks it, and returns the scope as last
      // committed; the union is then written under that lock.
      const work = async (trx: Kysely<Database>): Promise<void> => {
        const row = await trx
          .insertInto('consents')
          .values({ subject, client_id: clientId, scope: '', updated_at: at })
          .onConflict((oc) => oc.columns(['subject', 'client_id']).doUpdateSet({ updated_at: at }))
          .returning('scope')
          .executeTakeFirstOrThrow();
        const union = [...new Set([...parse(row.scope), ...scope])].join(' ');
        await trx.updateTable('consents').set({ scope: union }).where('subject', '=', subject).where('client_id', '=', clientId).execute();
      };
      if (db.isTransaction) await work(db);
      else await db.transaction().execute(work);
    },
    async forget(subject, clientId) {
      await db.deleteFrom('consents').where('subject', '=', subject).where('client_id', '=', clientId).execute();
    },
  };
}
