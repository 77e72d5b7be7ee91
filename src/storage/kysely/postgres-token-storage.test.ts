import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { openStorage } from '../open-storage.js';
import { tokenStorageContract } from '../token-storage-contract.js';

describePostgres('PostgreSQL token storage', () => {
  tokenStorageContract('postgres', async () => openStorage(await createPostgresDatabase(), { poolSize: 10 }), {
    // Two pools on one database: what two server processes have.
    openTwo: async () => {
      const url = await createPostgresDatabase();
      return [await openStorage(url, { poolSize: 10 }), await openStorage(url, { poolSize: 10 })];
    },
  });
});
