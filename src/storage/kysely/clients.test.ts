import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { openStorage } from '../open-storage.js';
import { clientsContract } from '../test-support/clients-contract.js';

clientsContract('SQLite', () => openStorage('sqlite::memory:', { poolSize: 1 }));

describePostgres('PostgreSQL', () => {
  clientsContract('PostgreSQL', async () => openStorage(await createPostgresDatabase(), { poolSize: 4 }));
});
