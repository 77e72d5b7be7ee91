import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { deviceCodesContract } from '../device-codes-contract.js';
import { openStorage } from '../open-storage.js';

describePostgres('PostgreSQL device codes', () => {
  deviceCodesContract('postgres', async () => openStorage(await createPostgresDatabase(), { poolSize: 10 }));
});
