import { openStorage } from '../open-storage.js';
import { tokenStorageContract } from '../token-storage-contract.js';

// One connection per database: SQLite serializes writers, so racing callers share it, as requests in one process do.
tokenStorageContract('sqlite', () => openStorage('sqlite::memory:'));
