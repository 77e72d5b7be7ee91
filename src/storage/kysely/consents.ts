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
      // Read and write in one transaction so two consents given at once both count.
      const work = async (trx: Kysely<Database>): Promise<void> => {
        const row = await trx.selectFrom('consents').select('scope').where('subject', '=', subject).where('client_id', '=', clientId).executeTakeFirst();
        const union = [...new Set([...(row === undefined ? [] : parse(row.scope)), ...scope])].join(' ');
        await trx
          .insertInto('consents')
          .values({ subject, client_id: clientId, scope: union, updated_at: at })
          .onConflict((oc) => oc.columns(['subject', 'client_id']).doUpdateSet({ scope: union, updated_at: at }))
          .execute();
      };
      if (db.isTransaction) await work(db);
      else await db.transaction().execute(work);
    },
    async forget(subject, clientId) {
      await db.deleteFrom('consents').where('subject', '=', subject).where('client_id', '=', clientId).execute();
    },
  };
}
