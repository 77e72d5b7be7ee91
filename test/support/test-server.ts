// Starts a real Latchkey in-process on a free loopback port, with a fresh database, for end-to-end tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Clock } from '../../src/lib/clock.js';

export interface TestServer {
  readonly url: string;
  readonly issuer: string;
  readonly server: RunningServer;
  readonly config: Config;
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** A database URL (e.g. from createPostgresDatabase()); default a fresh SQLite file in a temp folder. */
  readonly databaseUrl?: string;
  /** Extra configuration as environment variables (LATCHKEY_*). */
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
}

export { freePort } from './free-port.js';

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = loadConfig({
      env: {
        LATCHKEY_HOST: '127.0.0.1',
        LATCHKEY_PORT: String(port),
        LATCHKEY_ISSUER: `http://127.0.0.1:${port}`,
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_LOG_LEVEL: 'silent',
        ...(options.databaseUrl !== undefined && { LATCHKEY_DATABASE_URL: options.databaseUrl }),
        ...options.env,
      },
    });
    try {
      const server = await startServer(config, { ...(options.clock !== undefined && { clock: options.clock }) });
      return {
        url: server.url,
        issuer: config.issuer,
        server,
        config,
        dataDir,
        async close() {
          await server.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}
