// Shared set-up for commands that work on the database: configuration, master key, storage, key ring.
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { loadMasterKey } from '../config/load-master-key.js';
import { systemClock } from '../lib/clock.js';
import type { MasterKey } from '../lib/master-key.js';
import { KeyRing } from '../protocol/keys/key-ring.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/storage.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  readonly config: Config;
  readonly storage: Storage;
  readonly masterKey: MasterKey;
  readonly keys: KeyRing;
}

export async function withContext<T>(flags: Record<string, string | undefined>, io: CliIo, work: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = loadConfig({ flags, env: io.env });
  const { key: masterKey } = loadMasterKey(config);
  const storage = await openStorage(config.databaseUrl, { poolSize: 2 });
  const keys = new KeyRing({
    store: storage.signingKeys,
    masterKey,
    clock: systemClock,
    prePublicationMs: config.keys.prePublicationSeconds * 1000,
    retentionMs: config.keys.retentionSeconds * 1000,
  });
  try {
    return await work({ config, storage, masterKey, keys });
  } finally {
    await storage.close();
  }
}
