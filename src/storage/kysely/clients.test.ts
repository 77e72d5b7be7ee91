import { openStorage } from '../open-storage.js';
import { clientsContract } from '../test-support/clients-contract.js';

clientsContract('SQLite', () => openStorage('sqlite::memory:', { poolSize: 1 }));
