// `latchkey serve`: run the server until SIGINT/SIGTERM, then stop gracefully (in-flight requests finish, exit 0).
import { startServer } from '../../app.js';
import { loadConfig } from '../../config/load-config.js';
import { redactDatabaseUrl } from '../../storage/open-storage.js';
import type { CliIo } from '../io.js';

export async function serveCommand(flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const config = loadConfig({ flags, env: io.env });
  const server = await startServer(config);
  const log = server.app.log;
  if (server.createdMasterKey) io.stdout(`Created a master key in ${config.dataDir}/master.key (mode 0600). Back it up: it unlocks the signing keys.`);
  io.stdout(`Latchkey is listening on ${server.url}`);
  io.stdout(`  issuer:   ${config.issuer}`);
  io.stdout(`  database: ${redactDatabaseUrl(config.databaseUrl)}`);
  io.stdout(`  discovery: ${config.issuer}/.well-known/openid-configuration`);
  if (server.adminUrl !== undefined) io.stdout(`  admin API: ${server.adminUrl} (OpenAPI at /admin/openapi.json)`);
  io.stdout('Next: add a user and a client (in another terminal):');
  io.stdout('  npx latchkey user create alice --email alice@example.com');
  io.stdout('  npx latchkey client create --name my-app --redirect-uri http://127.0.0.1:3000/callback');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      const timer = setTimeout(() => {
        log.error('shutdown timed out; exiting');
        resolve(1);
      }, config.shutdownTimeoutSeconds * 1000);
      timer.unref();
      server.close().then(
        () => {
          clearTimeout(timer);
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
