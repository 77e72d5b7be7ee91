import { deviceCodesContract } from '../device-codes-contract.js';
import { openStorage } from '../open-storage.js';

deviceCodesContract('sqlite', () => openStorage('sqlite::memory:'));
