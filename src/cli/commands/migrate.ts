// `latchkey migrate`: apply pending database migrations (they also run at start).
import { loadConfig } from '../../config/load-config.js';
import { openStorage, redactDatabaseUrl } from '../../storage/open-storage.js';
import type { CliIo } from '../io.js';

export async function migrateCommand(flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const config = loadConfig({ flags, env: io.env });
  const storage = await openStorage(config.databaseUrl, { migrate: false, poolSize: 1 });
  try {
    const applied = await storage.migrate();
    io.stdout(applied.length === 0 ? `${redactDatabaseUrl(config.databaseUrl)} is up to date` : `applied: ${applied.join(', ')}`);
    return 0;
  } finally {
    await storage.close();
  }
}
