// The master key that seals signing keys at rest: from configuration, else a 0600 key file in the data folder.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '../lib/master-key.js';
import type { Config } from './config.js';
import { ConfigError } from './load-config.js';

export const MASTER_KEY_FILE = 'master.key';

/** Reads LATCHKEY_MASTER_KEY, or the key file in the data folder, creating it (mode 0600) on first start. */
export function loadMasterKey(config: Pick<Config, 'masterKey' | 'dataDir'>): { key: MasterKey; created: boolean } {
  if (config.masterKey !== undefined) {
    try {
      return { key: MasterKey.parse(config.masterKey), created: false };
    } catch (error) {
      throw new ConfigError(`LATCHKEY_MASTER_KEY: ${(error as Error).message}`);
    }
  }
  const path = join(config.dataDir, MASTER_KEY_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`master key file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  if (existing !== undefined) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600); // keep it private even if copied carelessly
    try {
      return { key: MasterKey.parse(existing), created: false };
    } catch (error) {
      throw new ConfigError(`master key file ${path}: ${(error as Error).message}`);
    }
  }
  try {
    mkdirSync(config.dataDir, { recursive: true });
    const { key, encoded } = MasterKey.generate();
    writeFileSync(path, `${encoded}\n`, { mode: 0o600, flag: 'wx' });
    return { key, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(config); // another process won the race
    throw new ConfigError(`master key file ${path}: cannot be created (${(error as NodeJS.ErrnoException).code})`);
  }
}
