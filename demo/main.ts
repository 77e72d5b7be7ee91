// `npm run demo`: Latchkey, a protected API and a client web app (the flow explorer), all on 127.0.0.1.
// Latchkey runs as a child process on a fresh SQLite database in a temporary folder; Ctrl-C stops all three.
// `--json` prints one machine-readable line ({"explorer", "issuer", "api", "username", "password", "clientId"}) instead.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ClientSetup, ServerMetadata } from './explorer/flow.js';
import { startExplorer } from './explorer/server.js';
import { send } from './explorer/wire.js';
import { assertBuilt, freePort, latchkeyCli, startLatchkey, type LatchkeyServer } from './latchkey.js';
import { NOTES_SCOPE, startResourceApi } from './resource-api.js';

const USERNAME = 'demo';
const SCOPE = `openid profile email offline_access ${NOTES_SCOPE}`;

interface Registered {
  readonly client_id: string;
  readonly client_secret: string;
  readonly [member: string]: unknown;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const say = (line: string): void => {
    if (!json) console.log(line);
  };
  assertBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
  const [latchkeyPort, apiPort, explorerPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://localhost:${latchkeyPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const explorerUrl = `http://127.0.0.1:${explorerPort}`;
  const env = { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ISSUER: issuer };

  let latchkey: LatchkeyServer | undefined;
  const apps: FastifyInstance[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('\nStopping the demo…');
      await Promise.allSettled(apps.map((app) => app.close()));
      await latchkey?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    say(`Setting up Latchkey in ${dataDir} …`);
    const password = randomBytes(12).toString('base64url');
    await latchkeyCli(['user', 'create', USERNAME, '--email', 'demo@example.com', '--email-verified', '--name', 'Dee Mo', '--password-stdin'], env, `${password}\n`);
    const api = JSON.parse(await latchkeyCli(['client', 'create', '--name', 'Demo notes API', '--grant-type', 'client_credentials', '--json'], env)) as Registered;
    const redirectUri = `${explorerUrl}/callback`;
    const clientArgs = [
      'client', 'create', '--name', 'Latchkey flow explorer', '--redirect-uri', redirectUri,
      '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--scope', SCOPE, '--access-token-format', 'opaque',
      '--post-logout-redirect-uri', `${explorerUrl}/logged-out`, '--json',
    ];
    const client = JSON.parse(await latchkeyCli(clientArgs, env)) as Registered;

    latchkey = await startLatchkey(
      {
        ...env,
        LATCHKEY_HOST: '127.0.0.1',
        LATCHKEY_PORT: String(latchkeyPort),
        LATCHKEY_LOG_LEVEL: 'warn',
        // RFC 8707: the API is a resource; its own client may introspect tokens for it; they are opaque.
        LATCHKEY_RESOURCES: JSON.stringify([{ uri: apiUrl, scopes: [NOTES_SCOPE], accessTokenFormat: 'opaque', clients: [api.client_id] }]),
        LATCHKEY_DEFAULT_AUDIENCE: apiUrl, // tokens asked for without `resource` are for the API
      },
      `http://127.0.0.1:${latchkeyPort}/healthz`,
    );
    latchkey.child.once('exit', (code) => {
      if (stopping) return;
      console.error(`latchkey serve stopped unexpectedly (${code}):\n${latchkey?.output() ?? ''}`);
      void stop(1);
    });

    apps.push(await startResourceApi({ issuer, resource: apiUrl, port: apiPort, introspection: { clientId: api.client_id, clientSecret: api.client_secret } }));

    const discovery = await send<ServerMetadata>('discovery: GET /.well-known/openid-configuration', { method: 'GET', url: `${issuer}/.well-known/openid-configuration` });
    if (discovery.json === undefined) throw new Error(`discovery failed: ${discovery.status}`);
    const setup: ClientSetup = {
      issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri,
      postLogoutRedirectUri: `${explorerUrl}/logged-out`,
      scope: SCOPE,
      apiUrl,
      registration: client,
      registrationCommand: `latchkey ${clientArgs.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ')}`,
      metadata: discovery.json,
      discovery: discovery.exchange,
    };
    apps.push(await startExplorer({ setup, username: USERNAME, port: explorerPort }));

    if (json) {
      console.log(JSON.stringify({ explorer: explorerUrl, issuer, api: apiUrl, username: USERNAME, password, clientId: client.client_id, pid: process.pid }));
      return;
    }
    say('');
    say('  Latchkey flow explorer is ready.');
    say('');
    say(`  Open          ${explorerUrl}`);
    say(`  Sign in as    ${USERNAME}`);
    say(`  Password      ${password}    (shown once)`);
    say('');
    say(`  Latchkey      ${issuer}   (issuer; discovery at /.well-known/openid-configuration)`);
    say(`  Notes API     ${apiUrl}/api/notes   (latchkey/resource, needs ${NOTES_SCOPE})`);
    say(`  Data          ${dataDir}   (deleted on exit)`);
    say('');
    say('  Press Ctrl-C to stop all three.');
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
