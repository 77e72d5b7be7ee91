// Clients on Kysely: one row per client, metadata and policy as JSON text (portable across both dialects).
import type { Kysely, Selectable } from 'kysely';
import type { ClientCache } from '../client-cache.js';
import type { Client, ClientMetadata, ClientPolicy } from '../records/client.js';
import type { Clients } from '../storage.js';
import type { ClientsTable, Database } from './schema.js';

const toRow = (client: Client): ClientsTable => ({
  client_id: client.clientId,
  metadata: JSON.stringify(client.metadata),
  policy: JSON.stringify(client.policy),
  secret_hash: client.secretHash ?? null,
  previous_secret_hash: client.previousSecretHash ?? null,
  previous_secret_expires_at: client.previousSecretExpiresAt ?? null,
  sealed_secret: client.sealedSecret ?? null,
  previous_sealed_secret: client.previousSealedSecret ?? null,
  registration_access_token_hash: client.registrationAccessTokenHash ?? null,
  created_at: client.createdAt,
  updated_at: client.updatedAt,
});

const fromRow = (row: Selectable<ClientsTable>): Client => ({
  clientId: row.client_id,
  metadata: JSON.parse(row.metadata) as ClientMetadata,
  policy: JSON.parse(row.policy) as ClientPolicy,
  ...(row.secret_hash !== null && { secretHash: row.secret_hash }),
  ...(row.previous_secret_hash !== null && { previousSecretHash: row.previous_secret_hash }),
  ...(row.previous_secret_expires_at !== null && { previousSecretExpiresAt: Number(row.previous_secret_expires_at) }),
  ...(row.sealed_secret !== null && { sealedSecret: row.sealed_secret }),
  ...(row.previous_sealed_secret !== null && { previousSealedSecret: row.previous_sealed_secret }),
  ...(row.registration_access_token_hash !== null && { registrationAccessTokenHash: row.registration_access_token_hash }),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** `cache` (the server's): finds may be answered from it; every change here invalidates it, and `touched` collects the ids changed inside a transaction so they are invalidated again once it ends. */
export function kyselyClients(db: Kysely<Database>, cache?: ClientCache, touched?: Set<string>): Clients {
  const load = async (clientId: string): Promise<Client | undefined> => {
    const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  };
  const changed = (clientId: string): void => {
    cache?.invalidate(clientId);
    touched?.add(clientId);
  };
  return {
    find: (clientId) => (cache === undefined ? load(clientId) : cache.find(clientId, () => load(clientId))),
    async create(client) {
      changed(client.clientId);
      const result = await db
        .insertInto('clients')
        .values(toRow(client))
        .onConflict((oc) => oc.column('client_id').doNothing())
        .executeTakeFirst();
      changed(client.clientId);
      return result.numInsertedOrUpdatedRows === 1n;
    },
    async update(client) {
      const { client_id: clientId, created_at: _created, ...changes } = toRow(client);
      changed(clientId);
      const result = await db.updateTable('clients').set(changes).where('client_id', '=', clientId).executeTakeFirst();
      changed(clientId);
      return result.numUpdatedRows === 1n;
    },
    async delete(clientId) {
      changed(clientId);
      const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
      changed(clientId);
      return result.numDeletedRows === 1n;
    },
    async list(options = {}) {
      let query = db.selectFrom('clients').selectAll().orderBy('client_id').limit(Math.min(options.limit ?? 100, 1000));
      if (options.afterClientId !== undefined) query = query.where('client_id', '>', options.afterClientId);
      return (await query.execute()).map(fromRow);
    },
  };
}
